// Game-day scenarios of unordered replication and exactly-once writes (issue 14): a hot
// partition that lags while the markers arrive, a retry in the other region after a failover, a
// comment stranded on a photo the secondary deleted, and tables of 100,000+ items. Each states
// its own invariants; the runner measures the rest (lost writes, two writable regions…).
import { BatchWriteCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { loadStageConfig } from '../../infra/stage-config.cjs';
import { stepResultOf, stepResults } from '../../services/runbooks/adapters/runbook-read-model';
import type { ReconciliationResult } from '../../services/runbooks/model';
import { newId } from '../../shared/photos/ids';
import { type JournalEntry, journalBuckets, journalEntryOf } from '../../shared/write-journal/model';
import { eventually } from '../eventually';
import type { Runtime } from '../runtime';
import { scaledFunctionEnv } from '../runtime/time-scale';
import { postRetrying } from './client';
import { plannedFailoverAsOnCall, probeOf, toItsEnd } from './kit';
import type { Invariant } from './report';
import { documentClient, historyOf, runbookReport, runRunbook, waitForExecution } from './runbooks';
import type { Scenario, ScenarioContext } from './scenarios';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const check = (name: string, ok: boolean, detail: string): Invariant => ({ name, ok, detail });
/** A runbook run that had to succeed, with its error and cause when it did not. */
const succeeded = (name: string, run: { status?: string; error?: string; cause?: string }): Invariant =>
  check(name, run.status === 'SUCCEEDED', `${run.status}${run.error ? ` ${run.error}: ${run.cause}` : ''}`);

const tableNamed = (rt: Runtime, suffix: string): string => {
  const name = rt.primary.topology.tables.find((t) => t.TableName?.endsWith(suffix))?.TableName;
  if (!name) throw new Error(`No table *${suffix} in serverless.yml`);
  return name;
};

const auth = (ctx: ScenarioContext) => ({ authorization: `Bearer ${ctx.token}`, 'content-type': 'application/json' });

/**
 * A comment as a client posts it: one key, tried again after a 503 with Retry-After (a fence, the
 * promotion's wait for the old lease), as `postRetrying` does; an answer that never comes (timeout,
 * reset) is status 0, as a client would see it, and is not retried here (the scenario decides).
 */
async function postComment(ctx: ScenarioContext, apiUrl: string, photoId: string, key: string, text: string) {
  try {
    const res = await postRetrying(`${apiUrl}/photos/${photoId}/comments`, {
      method: 'POST',
      headers: { ...auth(ctx), 'idempotency-key': key },
      body: JSON.stringify({ text }),
      signal: AbortSignal.timeout(20_000),
    });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as { id?: string; code?: string } };
  } catch (error) {
    return { status: 0, body: { code: (error as Error).name } as { id?: string; code?: string } };
  }
}

/** The comments a region holds under a photo, as stored (not through the API). */
async function commentsIn(rt: Runtime, region: string, photoId: string): Promise<Array<Record<string, unknown>>> {
  const { Items = [] } = await documentClient(rt, region).send(
    new QueryCommand({
      TableName: tableNamed(rt, '-comments'),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :c)',
      ExpressionAttributeValues: { ':pk': `PHOTO#${photoId}`, ':c': 'COMMENT#' },
      ConsistentRead: true,
    }),
  );
  return Items;
}

async function photoIn(rt: Runtime, region: string, photoId: string) {
  const { Item } = await documentClient(rt, region).send(
    new GetCommand({ TableName: tableNamed(rt, '-photos'), Key: { pk: `PHOTO#${photoId}`, sk: 'PHOTO' }, ConsistentRead: true }),
  );
  return Item;
}

/** Did any CheckReplication of the run hand back "markers visible, but not every write yet"? */
async function gateWaitedForWrites(rt: Runtime, region: string, executionArn: string | undefined): Promise<string | null> {
  if (!executionArn) return null;
  const events = await historyOf(rt, region, executionArn);
  let waiting: string | null = null;
  for (const e of events) {
    const output = e.stateExitedEventDetails?.name === 'CheckReplication' ? (e.stateExitedEventDetails.output ?? '') : '';
    const match = /markers visible, but not every write yet: [^"]*/.exec(output);
    // Best evidence: a check that named writes still missing (not one still reading the journal).
    if (match && /still missing/.test(match[0])) return match[0].slice(0, 400);
    waiting ??= match ? match[0].slice(0, 400) : null;
  }
  return waiting;
}

async function stepDuration(rt: Runtime, region: string, executionArn: string | undefined, step: string): Promise<number | null> {
  const Item = await runbookReport(rt, region, executionArn);
  const found = ((Item?.steps ?? []) as Array<{ step: string; durationMs: number }>).filter((s) => s.step === step);
  return found.length > 0 ? found.reduce((sum, s) => sum + s.durationMs, 0) : null;
}

async function reportDetail(rt: Runtime, region: string, executionArn: string | undefined, step: string): Promise<string> {
  const Item = await runbookReport(rt, region, executionArn);
  return ((Item?.steps ?? []) as Array<{ step: string; detail: string }>).find((s) => s.step === step)?.detail ?? '';
}

interface ReconcileReads {
  entries: number;
  stranded: number;
  queries: number;
  batches: number;
}

/** What the run's (last) Reconcile read, from its result in the execution history (`$.reconciliation`). */
async function reconcileReads(rt: Runtime, region: string, executionArn: string | undefined): Promise<ReconcileReads | null> {
  if (!executionArn) return null;
  const last = stepResults<ReconciliationResult>(await historyOf(rt, region, executionArn), 'Reconcile').at(-1);
  return last?.requests
    ? { entries: last.journalEntries, stranded: last.candidates, queries: last.requests.journalQueries, batches: last.requests.itemBatches }
    : null;
}

const perEntry = (r: ReconcileReads) => (r.queries + r.batches) / Math.max(1, r.entries);

/** When a fence step's fence took effect (`$.fence.at`) and the drain's end it computed (`$.fence.drainUntil`). */
interface FenceTimes {
  fencedAt: number;
  drainUntil: number;
}

/** The fence step's times, once the step has run (null: it fenced nothing). */
async function fenceOf(rt: Runtime, region: string, executionArn: string, timeoutMs: number): Promise<FenceTimes | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const events = await historyOf(rt, region, executionArn);
    for (const e of events) {
      const exited = e.stateExitedEventDetails;
      if (exited?.name !== 'FencePrimary') continue;
      const result = stepResultOf<{ drainUntil?: string | null; at?: string }>('FencePrimary', exited.output);
      return result?.drainUntil && result.at ? { fencedAt: Date.parse(result.at), drainUntil: Date.parse(result.drainUntil) } : null;
    }
    if (events.some((e) => e.type === 'ExecutionSucceeded' || e.type === 'ExecutionFailed')) return null;
    await sleep(50);
  }
  return null;
}

/**
 * The journal entries a region's data tables hold for the last minutes (each data write puts one
 * in its own transaction, shared/write-journal/model.ts), by sort key: what had committed there
 * when the queries arrived.
 */
async function journalIn(rt: Runtime, region: string, sinceMs: number): Promise<Map<string, JournalEntry>> {
  const client = documentClient(rt, region);
  const found = new Map<string, JournalEntry>();
  const buckets = journalBuckets(sinceMs, Date.now() + 60_000);
  await Promise.all(
    ['-photos', '-comments'].flatMap((suffix) =>
      buckets.map(async (pk) => {
        let ExclusiveStartKey: Record<string, unknown> | undefined;
        do {
          const page = await client.send(
            new QueryCommand({
              TableName: tableNamed(rt, suffix),
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': pk },
              ConsistentRead: true,
              ExclusiveStartKey,
            }),
          );
          for (const item of page.Items ?? []) found.set(`${suffix}|${String(item.sk)}`, journalEntryOf(item));
          ExclusiveStartKey = page.LastEvaluatedKey;
        } while (ExclusiveStartKey);
      }),
    ),
  );
  return found;
}

/** The primary healthy for the failback's period by its own probe (scaled like the runtime scales it). */
export async function primaryHealthyForFailback(ctx: ScenarioContext): Promise<void> {
  const needed = Number(scaledFunctionEnv(loadStageConfig(ctx.rt.stage), ctx.rt.timeScale).RUNBOOK_PRIMARY_HEALTHY_SECONDS);
  ctx.progress(`waiting for ${ctx.primary} to be healthy for ${needed} s (failback precondition)…`);
  await eventually(
    `${ctx.primary} healthy for ${needed} s`,
    async () => {
      const since = (await probeOf(ctx.rt, ctx.primary))?.healthySince;
      return since ? Date.now() - Date.parse(since) >= (needed + 1) * 1000 : false;
    },
    needed * 1000 + 150_000,
  );
}

/** A failback as on-call runs it: blocked by conflicts, they are reviewed and it runs again with force. */
async function failback(ctx: ScenarioContext, reason: string) {
  let run = await runRunbook(ctx.rt, 'failback', ctx.primary, { reason, requestedBy: 'oncall:drill' });
  const blocked = run.error === 'UnresolvedConflicts' ? String(run.cause ?? '') : null;
  if (blocked !== null) {
    ctx.mark('failback blocked by conflicts: on-call reviews them and forces it');
    run = await runRunbook(ctx.rt, 'failback', ctx.primary, {
      reason: `${reason}; conflicts reviewed, the secondary's versions (and its deletes) win`,
      requestedBy: 'oncall:drill',
      force: true,
    });
  }
  return { run, blocked };
}

/** A photo created in the primary and its bytes uploaded, not completed yet. */
async function uploadedPhoto(ctx: ScenarioContext, title: string): Promise<string> {
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
  const created = await postRetrying(`${ctx.rt.primary.apiUrl}/photos`, {
    method: 'POST',
    headers: { ...auth(ctx), 'idempotency-key': newId(new Date()) },
    body: JSON.stringify({ title, contentType: 'image/png', size: png.length }),
  });
  if (created.status !== 201) throw new Error(`Creating a photo failed: ${created.status} ${await created.text()}`);
  const { photo, upload } = (await created.json()) as { photo: { id: string }; upload: { url: string; headers: Record<string, string> } };
  const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: png });
  if (!put.ok) throw new Error(`Uploading photo ${photo.id} failed: ${put.status}`);
  return photo.id;
}

async function completePhoto(ctx: ScenarioContext, photoId: string): Promise<Response> {
  return postRetrying(`${ctx.rt.primary.apiUrl}/photos/${photoId}/complete`, {
    method: 'POST',
    headers: { ...auth(ctx), 'idempotency-key': newId(new Date()) },
  });
}

/** One completion, tried once (its answer is the figure), with when it was sent and answered. */
async function completeAndRecord(
  ctx: ScenarioContext,
  photoId: string,
  into: Array<{ sentAt: number; answeredAt: number; status: number; code: string }>,
): Promise<void> {
  const sentAt = Date.now();
  try {
    const res = await fetch(`${ctx.rt.primary.apiUrl}/photos/${photoId}/complete`, {
      method: 'POST',
      headers: { ...auth(ctx), 'idempotency-key': newId(new Date()) },
      signal: AbortSignal.timeout(20_000),
    });
    const body = (await res.json().catch(() => ({}))) as { code?: string };
    into.push({ sentAt, answeredAt: Date.now(), status: res.status, code: body.code ?? String(res.status) });
  } catch (error) {
    into.push({ sentAt, answeredAt: Date.now(), status: 0, code: (error as Error).name });
  }
}

async function createListedPhoto(ctx: ScenarioContext, title: string): Promise<string> {
  const photoId = await uploadedPhoto(ctx, title);
  const done = await completePhoto(ctx, photoId);
  if (done.status !== 200) throw new Error(`Completing photo ${photoId} failed: ${done.status}`);
  return photoId;
}

/**
 * Items written straight into both regions' tables (not through the API), the same items on both
 * sides, each region by 8 writers of its own (DynamoDB Local takes a few thousand items/s). The
 * replicator reads every one from both streams and finds the same content on the other side, so it
 * writes nothing (as a global table writes no replica for an item that did not change). Seeding one
 * region and letting replication copy it was tried: a 100,000-item backlog delivered item by item
 * took over 10 minutes, and the drill is about table size, not about a backlog.
 */
async function seedBothRegions(rt: Runtime, total: number, progress: (line: string) => void): Promise<number> {
  const photos = tableNamed(rt, '-photos');
  const comments = tableNamed(rt, '-comments');
  const createdAt = new Date(Date.now() - 86_400_000).toISOString();
  const batchOf = (n: number) => {
    const table = n % 2 === 0 ? photos : comments;
    const items = Array.from({ length: 25 }, (_, i) => {
      const k = n * 25 + i;
      return table === photos
        ? { pk: `PHOTO#seed-${k}`, sk: 'PHOTO', id: `seed-${k}`, title: `seeded ${k}`, status: 'pending', createdAt }
        : { pk: `PHOTO#seed-${k % 1000}`, sk: `COMMENT#seed-${k}`, id: `seed-${k}`, text: 'seeded', createdAt };
    });
    return { table, items };
  };
  const batches = Math.ceil(total / 25);
  const started = Date.now();
  const seedRegion = async (region: string) => {
    const client = documentClient(rt, region);
    const write = async (table: string, items: Array<Record<string, unknown>>) => {
      let requests = items.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length > 0; attempt += 1) {
        if (attempt > 0) await sleep(Math.min(2000, 50 * 2 ** attempt));
        const out = await client.send(new BatchWriteCommand({ RequestItems: { [table]: requests } })).catch(() => null);
        requests = out ? ((out.UnprocessedItems?.[table] ?? []) as typeof requests) : requests;
      }
    };
    let next = 0;
    const worker = async () => {
      for (let n = next++; n < batches; n = next++) {
        const { table, items } = batchOf(n);
        await write(table, items);
        if (n % 400 === 0) progress(`  seeded ${n * 25} of ${total} items in ${region} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  };
  await Promise.all(rt.regions.map((r) => seedRegion(r.region)));
  return batches * 25;
}

const HOT_PARTITION_LAG_MS = 8_000;
/** Two such answers (4 s) outlast the write lease plus its margin (2.5 s), and a completion still ends within its 10 s. */
const SLOW_ANSWER_MS = 2_000;

export const REPLICATION_SCENARIOS: Record<string, Scenario> = {
  'unordered-replication': {
    description: 'Per-item delays and a hot comment partition 8 s late; planned failover under load, then the old primary is cut for good',
    async run(ctx) {
      // Late enough to outlast the fence's drain and the steps before the gate on a busy machine,
      // so the gate's first look finds acknowledged comments still missing while the markers are there.
      ctx.rt.chaos.slowReplication({ target: '-comments', keyPrefix: `PHOTO#${ctx.photoId}`, extraMs: HOT_PARTITION_LAG_MS });
      ctx.mark(`the drill photo’s comments (one partition) replicate ${HOT_PARTITION_LAG_MS / 1000} s late; markers and the rest do not`);
      await sleep(ctx.short ? 1500 : 3000);
      const faultAt = ctx.mark('planned failover requested');
      const { value: run } = await plannedFailoverAsOnCall(
        ctx,
        'Game day: planned failover with a hot partition',
        toItsEnd(ctx.rt, ctx.secondary),
      );
      ctx.mark(`failover ${String(run.status).toLowerCase()}${run.error ? ` (${run.error})` : ''}`);
      if (run.status === 'SUCCEEDED') {
        // Whatever the old primary still held and did not replicate is gone with it.
        ctx.rt.chaos.cut(ctx.primary);
        ctx.mark(`${ctx.primary} cut for good`);
      }
      const waited = await gateWaitedForWrites(ctx.rt, ctx.secondary, run.executionArn);
      const proof = await reportDetail(ctx.rt, ctx.secondary, run.executionArn, 'CheckReplication');
      return {
        faultAt,
        noLostWrites: true,
        invariants: [
          succeeded('the planned failover succeeded', run),
          check('the gate waited for the slow writes although the markers had arrived', waited !== null, waited ?? 'no such check'),
          check('the gate verified every acknowledged write before promoting', /none missing/.test(proof), proof.slice(0, 300)),
        ],
      };
    },
  },

  'slow-write': {
    description:
      'Photo uploads completed in the primary while its S3 answers 2 s late, during a planned failover: writes admitted before the fence outlive their lease; none commits after the drain',
    async run(ctx) {
      const since = Date.now() - 60_000;
      // Uploaded but not completed: completing one is the gate check, then S3 calls (inspect,
      // read the first bytes, copy), then the DynamoDB write that lists the photo.
      const pending: string[] = [];
      for (let i = 0; i < (ctx.short ? 30 : 60); i += 3) {
        pending.push(...(await Promise.all([0, 1, 2].map((k) => uploadedPhoto(ctx, `slow write ${i + k}`)))));
      }
      ctx.mark(`${pending.length} photos uploaded to ${ctx.primary}, not completed yet`);
      // Slow answers, not a slow network: each S3 request acts at once and its caller hears late,
      // so a completion is held two answers (4 s) between its gate check and its first write, longer
      // than the lease and its margin: without the write deadline it would write after the drain.
      ctx.rt.chaos.slow(ctx.primary, 's3', SLOW_ANSWER_MS, 'responses');
      const faultAt = ctx.mark(`${ctx.primary} S3 answers ${SLOW_ANSWER_MS / 1000} s late; planned failover requested`);
      // Completions keep coming until the fence is up, as from clients that did not hear of it.
      const completions: Array<{ sentAt: number; answeredAt: number; status: number; code: string }> = [];
      const sent: Promise<void>[] = [];
      let drainUntil: number | null | undefined;
      let fencedAt: number | null = null;
      const fenced = plannedFailoverAsOnCall(ctx, 'Game day: planned failover with slow writes in the primary', async (arn) => {
        // The drain's end as soon as the fence step has computed it; a run refused before it fenced is watched to its end.
        const times = await fenceOf(ctx.rt, ctx.secondary, arn, 60_000);
        return { value: times, ended: times === null ? await waitForExecution(ctx.rt, ctx.secondary, arn) : null };
      }).then((run) => {
        drainUntil = run.value?.drainUntil ?? null;
        fencedAt = run.value?.fencedAt ?? null;
        return run;
      });
      let next = 0;
      while (drainUntil === undefined) {
        const photoId = pending[next++];
        if (photoId) sent.push(completeAndRecord(ctx, photoId, completions));
        await Promise.race([sleep(150), fenced]);
      }
      if (drainUntil) {
        await sleep(Math.max(0, drainUntil - Date.now()));
        ctx.mark('the fence’s drain ends');
      }
      // Sent at the drain's end; DynamoDB is not slowed, so this is what had committed by then.
      const atDrainEnd = drainUntil ? await journalIn(ctx.rt, ctx.primary, since) : null;
      const run = await waitForExecution(ctx.rt, ctx.secondary, (await fenced).executionArn);
      ctx.mark(`failover ${String(run.status).toLowerCase()}${run.error ? ` (${run.error})` : ''}`);
      await Promise.all(sent);
      // A function runs 10 s at most: every completion admitted before the fence has ended by now.
      await sleep(Math.max(0, (drainUntil ?? Date.now()) + 10_000 - Date.now()));
      ctx.rt.chaos.slow(ctx.primary, 's3', 0);
      ctx.mark(`${ctx.primary} S3 answers at once again`);
      const later = await journalIn(ctx.rt, ctx.primary, since);
      const lateCommits = atDrainEnd
        ? [...later].filter(([sk, entry]) => !atDrainEnd.has(sk) && entry.region === ctx.primary).map(([, e]) => e)
        : [];
      // Sent before the fence took effect and answered after the drain: admitted under a lease read
      // before the fence (a gate that read after it refuses at once), then held by the slow S3.
      // Not "sent before the bound's base": that base is the primary's last recorded lease start
      // when earlier than the fence, and a completion sent after that start is still admitted
      // under its lease (a run of 2026-12-02 13:55 sent its three completions then).
      const fence: number | null = fencedAt;
      const heldAcross = fence === null ? [] : completions.filter((c) => c.sentAt < fence && c.answeredAt > (drainUntil as number));
      const byCode = new Map<string, number>();
      for (const c of heldAcross) byCode.set(c.code, (byCode.get(c.code) ?? 0) + 1);
      const outcomes = [...byCode].map(([code, n]) => `${code} ${n}`).join(', ');
      return {
        faultAt,
        noLostWrites: true,
        invariants: [
          succeeded('the planned failover succeeded', run),
          check(
            'completions admitted before the fence were still running when the drain ended',
            heldAcross.length > 0,
            `${completions.length} sent, ${heldAcross.length} of them before the fence and answered after the drain${outcomes ? ` (${outcomes})` : ''}`,
          ),
          check(
            'no write committed in the old primary after the drain ended',
            atDrainEnd !== null && lateCommits.length === 0,
            atDrainEnd === null
              ? 'the fence step reported no drain'
              : `${atDrainEnd.size} journal entries at the drain's end, ${later.size} after; ${lateCommits.length} from ${ctx.primary} committed later` +
                  (lateCommits.length > 0
                    ? `: ${lateCommits
                        .slice(0, 3)
                        .map((e) => `${e.item.pk}/${e.item.sk} admitted ${e.at} v${e.stateVersion}`)
                        .join('; ')}`
                    : ''),
          ),
        ],
      };
    },
  },

  'cross-region-retry': {
    description:
      'A comment’s answer is lost, the primary is cut before it replicates, the client retries the key in the secondary, the primary heals: one comment',
    async run(ctx) {
      const key = newId(new Date());
      const text = `retried across regions ${key}`;
      // Neither the comment nor its idempotency record may reach the secondary before the cut.
      ctx.rt.chaos.slowReplication({ target: '-comments', keyPrefix: `PHOTO#${ctx.photoId}`, from: ctx.primary, extraMs: 5_000 });
      ctx.rt.chaos.slowReplication({ target: '-idempotency', from: ctx.primary, extraMs: 5_000 });
      const first = await postComment(ctx, ctx.rt.primary.apiUrl, ctx.photoId, key, text);
      const committed = (await commentsIn(ctx.rt, ctx.primary, ctx.photoId)).find((c) => c.text === text);
      ctx.rt.chaos.cut(ctx.primary);
      const faultAt = ctx.mark(
        `comment ${String(committed?.id ?? '?')} written in ${ctx.primary} (answer ${first.status}, treated as lost); ${ctx.primary} cut`,
      );
      const failover = await runRunbook(ctx.rt, 'failover', ctx.secondary, {
        reason: 'Game day: primary cut with a write in flight',
        requestedBy: 'oncall:drill',
        mode: 'ungraceful',
      });
      ctx.mark(`ungraceful failover ${String(failover.status).toLowerCase()}`);
      await eventually('the secondary to take writes', () => ctx.load.current?.state === 'failover', 30_000).catch(() => undefined);
      const retry = await postComment(ctx, ctx.rt.secondary.apiUrl, ctx.photoId, key, text);
      ctx.mark(`the client retried the same key in ${ctx.secondary}: ${retry.status} ${retry.body.id ?? retry.body.code ?? ''}`);
      ctx.rt.chaos.clearSlowReplication();
      ctx.rt.chaos.heal(ctx.primary);
      ctx.mark(`${ctx.primary} healed`);
      await ctx.rt.replicator.drain(60_000).catch(() => undefined);
      const counts = await Promise.all(
        ctx.rt.regions.map(async (r) => (await commentsIn(ctx.rt, r.region, ctx.photoId)).filter((c) => c.text === text)),
      );
      const ids = counts.map((found) => found.map((c) => String(c.id)).join(','));
      return {
        faultAt,
        noLostWrites: false,
        invariants: [
          check('the first attempt committed in the primary before the cut', committed !== undefined, String(committed?.id ?? 'absent')),
          check('the ungraceful failover succeeded', failover.status === 'SUCCEEDED', `${failover.status} ${failover.error ?? ''}`),
          check(
            'the retry in the secondary answered the same comment',
            retry.status === 201 && retry.body.id === committed?.id,
            `${retry.status} ${retry.body.id ?? retry.body.code} (first ${String(committed?.id)})`,
          ),
          check(
            'exactly one comment in each region after the heal',
            counts.every((found) => found.length === 1) && ids[0] === ids[1],
            ctx.rt.regions.map((r, i) => `${r.region}: ${counts[i]?.length} (${ids[i]})`).join('; '),
          ),
        ],
      };
    },
  },

  'orphan-comment': {
    description: 'A comment stranded in the primary, its photo deleted in the secondary, failback: no orphan comment',
    async run(ctx) {
      const photoId = await createListedPhoto(ctx, 'to be deleted during the failover');
      await eventually(
        'the second photo in the secondary',
        async () => (await photoIn(ctx.rt, ctx.secondary, photoId)) !== undefined,
        15_000,
      );
      // Only what leaves the primary is late: the comments the load writes on this photo in the
      // secondary after the failover replicate back as usual, or the failback's catch-up gate would
      // wait 8 s for them and refuse (10 s) for a reason this scenario is not about.
      ctx.rt.chaos.slowReplication({ target: '-comments', keyPrefix: `PHOTO#${photoId}`, from: ctx.primary, extraMs: 8_000 });
      const stranded = await postComment(ctx, ctx.rt.primary.apiUrl, photoId, newId(new Date()), 'stranded on a photo about to go');
      const committed = (await commentsIn(ctx.rt, ctx.primary, photoId)).length > 0;
      ctx.rt.chaos.cut(ctx.primary);
      const faultAt = ctx.mark(`comment ${stranded.body.id ?? '?'} on photo ${photoId} stranded in ${ctx.primary}; ${ctx.primary} cut`);
      const failover = await runRunbook(ctx.rt, 'failover', ctx.secondary, {
        reason: 'Game day: primary cut with a stranded comment',
        requestedBy: 'oncall:drill',
        mode: 'ungraceful',
      });
      ctx.mark(`ungraceful failover ${String(failover.status).toLowerCase()}`);
      await eventually('the secondary to take writes', () => ctx.load.current?.state === 'failover', 30_000).catch(() => undefined);
      const deleted = await postRetrying(`${ctx.rt.secondary.apiUrl}/photos/${photoId}`, {
        method: 'DELETE',
        headers: { ...auth(ctx), 'idempotency-key': newId(new Date()) },
      });
      ctx.mark(`photo ${photoId} deleted in ${ctx.secondary} (${deleted.status})`);
      ctx.rt.chaos.clearSlowReplication();
      ctx.rt.chaos.heal(ctx.primary);
      ctx.mark(`${ctx.primary} healed: the stranded comment replicates`);
      await ctx.checkLostNow();
      await primaryHealthyForFailback(ctx);
      ctx.mark('failback requested');
      const { run, blocked } = await failback(ctx, 'Game day: primary recovered');
      ctx.mark(`failback ${String(run.status).toLowerCase()}`);
      await ctx.rt.replicator.drain(60_000).catch(() => undefined);
      const left = await Promise.all(ctx.rt.regions.map((r) => commentsIn(ctx.rt, r.region, photoId)));
      const photos = await Promise.all(ctx.rt.regions.map((r) => photoIn(ctx.rt, r.region, photoId)));
      const reconcile = await reportDetail(ctx.rt, ctx.primary, run.executionArn, 'Reconcile');
      return {
        faultAt,
        noLostWrites: false,
        reconciled: true,
        invariants: [
          check('the stranded comment committed in the primary', committed, `answer ${stranded.status}`),
          check(
            'the failback succeeded',
            run.status === 'SUCCEEDED',
            `${run.status} ${run.error ?? ''} ${String(run.cause ?? '').slice(0, 200)}`,
          ),
          check(
            'no comment left on the deleted photo, in either region',
            left.every((found) => found.length === 0),
            ctx.rt.regions.map((r, i) => `${r.region}: ${left[i]?.length}`).join('; '),
          ),
          check(
            'the delete wins: the photo stays deleted in both regions',
            photos.every((p) => p === undefined),
            photos.map((p) => (p ? 'present' : 'gone')).join(', '),
          ),
          check(
            'the reconciliation removed the orphan or reported the conflict',
            /removed [1-9]\d* orphan/.test(reconcile) || (blocked ?? '').includes(photoId),
            `${reconcile.slice(0, 300)}${blocked ? ` | first run: ${blocked.slice(0, 200)}` : ''}`,
          ),
        ],
      };
    },
  },

  'large-table': {
    description: 'Failover and failback with small tables, then with 100,000+ items seeded: Promote and Reconcile take about as long',
    async run(ctx) {
      const cycle = async (label: string) => {
        const { value: failover } = await plannedFailoverAsOnCall(
          ctx,
          `Game day: planned failover, ${label}`,
          toItsEnd(ctx.rt, ctx.secondary),
        );
        ctx.mark(
          `failover (${label}) ${String(failover.status).toLowerCase()}${failover.error ? ` (${failover.error}: ${String(failover.cause ?? '').slice(0, 300)})` : ''}`,
        );
        const promoteMs = await stepDuration(ctx.rt, ctx.secondary, failover.executionArn, 'Promote');
        if (failover.status !== 'SUCCEEDED') {
          // Nothing to fail back from: the primary is still the active region.
          return { ok: false, status: `failover ${failover.status} ${failover.error ?? ''}`, promoteMs, reconcileMs: null, reads: null };
        }
        await primaryHealthyForFailback(ctx);
        const { run } = await failback(ctx, `Game day: failback, ${label}`);
        ctx.mark(`failback (${label}) ${String(run.status).toLowerCase()}${run.error ? ` (${run.error})` : ''}`);
        return {
          ok: run.status === 'SUCCEEDED',
          status: `${failover.status}/${run.status}${run.error ? ` ${run.error}` : ''}`,
          promoteMs,
          reconcileMs: await stepDuration(ctx.rt, ctx.primary, run.executionArn, 'Reconcile'),
          // What it read: the journal since the failover, not the table (its cost is the recent writes).
          reads: await reconcileReads(ctx.rt, ctx.primary, run.executionArn),
        };
      };
      const faultAt = ctx.mark('cycle with small tables');
      const small = await cycle('small tables');
      const seeded = await seedBothRegions(ctx.rt, 100_000, ctx.progress);
      ctx.mark(`${seeded} items seeded straight into both regions' tables`);
      // Replication reads every seeded item from both streams: the cycle starts once it has, so
      // the markers do not queue behind 200,000 stream records (that would measure a backlog).
      // Read, not drained: under the drill's load some write is always on its way, and a drain
      // waited its whole 600 s for a moment with none (the 14:18 --all of 2026-12-02).
      const readAll = await ctx.rt.replicator.caughtUp(600_000).then(
        () => null,
        (error: Error) => error.message,
      );
      ctx.mark(
        readAll === null ? 'replication has read the seeded items' : `replication has not read the seeded items: ${readAll.slice(0, 300)}`,
      );
      const large = await cycle(`${seeded} more items`);
      const fmt = (r: typeof small) => `Promote ${r.promoteMs ?? '?'} ms, Reconcile ${r.reconcileMs ?? '?'} ms`;
      // "About as long": within three times the small-table figure plus a second of noise on a busy machine.
      const close = (a: number | null, b: number | null) => a !== null && b !== null && b <= 3 * a + 1000;
      const read = (r: typeof small) =>
        r.reads
          ? `${r.reads.entries} journal entries, ${r.reads.stranded} stranded: ${r.reads.queries} journal queries + ${r.reads.batches} item batch reads (${perEntry(r.reads).toFixed(3)} requests per entry)`
          : 'no Reconcile figures';
      return {
        faultAt,
        noLostWrites: false,
        reconciled: true,
        invariants: [
          check('both cycles succeeded', small.ok && large.ok, `small ${small.status}; large ${large.status}`),
          check(
            'Promote takes about as long with 100,000 more items',
            close(small.promoteMs, large.promoteMs),
            `small tables: ${fmt(small)}; large: ${fmt(large)}`,
          ),
          check(
            'the failback’s Reconcile takes about as long with 100,000 more items',
            close(small.reconcileMs, large.reconcileMs),
            `small tables: ${fmt(small)} (${read(small)}); large: ${fmt(large)} (${read(large)})`,
          ),
          // What the design promises, counted rather than timed: the reads follow the journal
          // entries (a Query page per partition and 500 entries) and the stranded writes (a
          // BatchGetItem per 100 keys), never the table's size, and never one request per write.
          check(
            'the failback’s Reconcile makes as many DynamoDB requests per journal entry with 100,000 more items, its item reads batched',
            small.reads !== null &&
              large.reads !== null &&
              perEntry(large.reads) <= 2 * perEntry(small.reads) &&
              [small.reads, large.reads].every((r) => r.batches <= Math.ceil(r.stranded / 25) + 3),
            `small tables: ${read(small)}; large: ${read(large)}`,
          ),
        ],
      };
    },
  },
};
