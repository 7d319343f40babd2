// Runs one drill: a fresh embedded runtime, a seeded photo, the load, the scenario, the checks
// of every acknowledged write, the figures and the reports.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { loadStageConfig } from '../../infra/stage-config.cjs';
import { issueDevToken } from '../../shared/auth/dev-identity';
import type { RegionConfig } from '../../web/src/state';
import { eventually } from '../eventually';
import { type Runtime, startRuntime } from '../runtime';
import { PROJECT_ROOT } from '../service-definition';
import { awsTimingModel, type MeasuredRunbook } from './aws-timing';
import { postRetrying } from './client';
import type { AckedWrite } from './load';
import { startLoadThread } from './load-thread';
import {
  type DrillFigures,
  handovers,
  htmlReport,
  type LagPoint,
  longestWriteGap,
  lostWrites,
  type Mark,
  refusedByReason,
  type Span,
  type StateSpan,
  stateSpans,
  summaryTable,
  timeline,
  twoWritable,
  versionForks,
} from './report';
import { documentClient, sfnClient } from './runbooks';
import { SCENARIOS, type ScenarioOutcome } from './scenarios';

export interface DrillOptions {
  scenario: string;
  /** Requests per second (default: 20 per core, at most 100: see defaultRate). */
  rate?: number;
  /** Shorter warm-up and settle phases (the versions npm test runs). */
  short?: boolean;
  reportsDir?: string;
  /** Live progress (one line, rewritten) and phase messages. */
  progress?(line: string, live?: boolean): void;
}

export interface DrillResult {
  figures: DrillFigures;
  ok: boolean;
  jsonPath: string;
  htmlPath: string;
  table: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// A 1x1 PNG: the photo the drill's comments go to.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

export async function seedPhoto(rt: Runtime, token: string): Promise<string> {
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const created = await postRetrying(`${rt.primary.apiUrl}/photos`, {
    method: 'POST',
    headers: { ...auth, 'idempotency-key': `drill-seed-${Date.now()}` },
    body: JSON.stringify({ title: 'Game day', contentType: 'image/png', size: PNG.length }),
  });
  if (created.status !== 201) throw new Error(`Seeding the drill photo failed: ${created.status} ${await created.text()}`);
  const { photo, upload } = (await created.json()) as { photo: { id: string }; upload: { url: string; headers: Record<string, string> } };
  await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: PNG });
  const done = await postRetrying(`${rt.primary.apiUrl}/photos/${photo.id}/complete`, {
    method: 'POST',
    headers: { ...auth, 'idempotency-key': `drill-seed-complete-${Date.now()}` },
  });
  if (done.status !== 200) throw new Error(`Completing the drill photo failed: ${done.status} ${await done.text()}`);
  return photo.id;
}

/**
 * Both probes healthy, each region's record replicated to the other, the seeded photo in the
 * secondary and no alarm in ALARM: the steady start every drill and the load bench begin from.
 */
export async function steadyStart(rt: Runtime, token: string, photoId: string): Promise<void> {
  await eventually(
    'both health probes to report healthy in both regions',
    async () =>
      (
        await Promise.all(
          rt.regions.map(async (r) => {
            const res = await fetch(`${r.apiUrl}/health?deep=1`);
            const body = (await res.json()) as { probe?: { peer?: { status?: string } } };
            return res.status === 200 && body.probe?.peer?.status === 'healthy';
          }),
        )
      ).every(Boolean),
    30_000,
  );
  await eventually(
    'the photo in the secondary',
    async () => (await fetch(`${rt.secondary.apiUrl}/photos/${photoId}`, { headers: { authorization: `Bearer ${token}` } })).status === 200,
    15_000,
  );
  // No alarm still in ALARM from the start-up (SelfUnhealthy treats the periods before the first
  // probe round as breaching): a game day starts from a quiet board, or the two-sided alarm is held
  // back by the target's own SelfUnhealthy and the drill measures the start-up, not the fault.
  await eventually(
    'every alarm of both regions out of ALARM',
    async () => rt.regions.every((r) => rt.controlPlane.alarmStates(r.region).every((a) => a.state !== 'ALARM')),
    30_000,
  );
}

/** Every alarm state change in either region between start and end, as timeline marks. */
function alarmChanges(rt: Runtime, start: number, end: number): Mark[] {
  return rt.controlPlane
    .events()
    .filter((e) => e.type === 'AlarmStateChange')
    .map((e) => ({
      at: Date.parse(String(e.at)),
      label: `alarm ${String(e.alarmName)} (${String(e.region)}): ${String(e.previousState)} -> ${String(e.state)}`,
    }))
    .filter((m) => m.at >= start && m.at <= end)
    .sort((a, b) => a.at - b.at);
}

/** The comment ids among `acked` that `region`'s comments table holds now. */
async function presentIn(rt: Runtime, region: string, photoId: string, acked: readonly AckedWrite[]): Promise<Set<string>> {
  const table = rt.primary.topology.tables.find((t) => t.TableName?.endsWith('-comments'))?.TableName as string;
  const ddb = documentClient(rt, region);
  const present = new Set<string>();
  for (let i = 0; i < acked.length; i += 100) {
    let keys = acked.slice(i, i + 100).map((w) => ({ pk: `PHOTO#${photoId}`, sk: `COMMENT#${w.commentId}` }));
    for (let round = 0; keys.length > 0 && round < 10; round += 1) {
      const out = await ddb.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }));
      for (const item of out.Responses?.[table] ?? []) present.add(String(item.sk).slice('COMMENT#'.length));
      keys = (out.UnprocessedKeys?.[table]?.Keys as typeof keys | undefined) ?? [];
    }
  }
  return present;
}

/**
 * 100 requests/s where the machine can take it. Both regions (two DynamoDB Local JVMs, two S3
 * stand-ins, every function) share this machine with the load: on 2 cores 100/s saturates it and
 * the drill would measure the machine instead of the failover, so the default is 20/s per core.
 */
export function defaultRate(cores = os.cpus().length): number {
  return Math.min(100, 20 * Math.max(1, cores));
}

export async function runDrill(options: DrillOptions): Promise<DrillResult> {
  const scenario = SCENARIOS[options.scenario];
  if (!scenario) throw new Error(`Unknown scenario "${options.scenario}". Scenarios: ${Object.keys(SCENARIOS).join(', ')}`);
  const say = (line: string) => options.progress?.(line, false);
  const short = options.short ?? false;
  const rt = await startRuntime({ portBase: 0, progress: (line) => say(`  ${line}`) });
  try {
    const stage = loadStageConfig(rt.stage);
    const regions: RegionConfig[] = rt.regions.map((r) => ({ region: r.region, role: r.role as RegionConfig['role'], apiUrl: r.apiUrl }));
    const token = await issueDevToken({ sub: 'drill-load', name: 'Drill load', ttlSeconds: 3600 });
    say('Seeding a photo and waiting for both regions to be healthy…');
    const photoId = await seedPhoto(rt, token);
    await steadyStart(rt, token, photoId);

    const rate = options.rate ?? defaultRate();
    say(`Load: ${rate} requests/s, 30 % writes${options.rate ? '' : ` (default for ${os.cpus().length} cores)`}`);
    const load = await startLoadThread({ regions, token, photoId, rate });
    const marks: Mark[] = [];
    const start = Date.now();
    const mark = (label: string) => {
      const at = Date.now();
      marks.push({ at, label });
      say(`  ${((at - start) / 1000).toFixed(1).padStart(5)} s  ${label}`);
      return at;
    };
    const lag: LagPoint[] = [];
    // Counted as attempts arrive (the list only grows): filtering the whole list ten times a
    // second cost 13 % of the runtime's main thread 15 minutes into a long drill (large-table).
    let failed = 0;
    let counted = 0;
    const sampler = setInterval(() => {
      const stats = rt.replicator.stats();
      const last = Math.max(0, ...stats.map((s) => s.lastLagMs ?? 0));
      // While a region or the link is cut nothing is delivered and lastLagMs stands still: unknown, not a value.
      const status = rt.status();
      const cut = status.replication.linkCut || status.partitions.link || status.regions.some((r) => r.cut || r.partitioned);
      lag.push({ t: Date.now() - start, ms: last, cut });
      const v = load.current;
      const writes = load.acked.length;
      for (; counted < load.attempts.length; counted += 1) if (!load.attempts[counted]?.ok) failed += 1;
      options.progress?.(
        `  ${((Date.now() - start) / 1000).toFixed(1).padStart(5)} s  ${v ? `${v.state} (${v.activeRegion}, v${v.version})` : 'unreachable'}  writes acked ${writes}  failed attempts ${failed}  lag ${last} ms`,
        true,
      );
    }, 100);

    let lostBefore: { present: Set<string>; at: number } | null = null;
    let outcome: ScenarioOutcome;
    load.start();
    try {
      mark('load starts');
      await sleep(short ? 1500 : 3000);
      outcome = await scenario.run({
        rt,
        load,
        primary: rt.primary.region,
        secondary: rt.secondary.region,
        photoId,
        token,
        short,
        mark,
        progress: say,
        async checkLostNow() {
          const writable = load.current?.writableRegion ?? load.current?.activeRegion ?? rt.secondary.region;
          const at = Date.now();
          const acked = load.acked.filter((w) => w.ackAt <= at);
          lostBefore = { present: await presentIn(rt, writable, photoId, acked), at };
        },
      });
      await sleep(short ? 1500 : 3000);
    } finally {
      await load.stop();
      clearInterval(sampler);
    }
    const end = mark('load stops');
    // The alarms' state changes during the drill, on the timeline and printed: when detection is
    // late, they say why (a region's own SelfUnhealthy holds the two-sided alarm back by design).
    for (const change of alarmChanges(rt, start, end)) {
      marks.push(change);
      say(`  ${((change.at - start) / 1000).toFixed(1).padStart(5)} s  ${change.label}`);
    }
    marks.sort((a, b) => a.at - b.at);

    // Every acknowledged write must be in the region that accepts writes now.
    const finalRegion = load.current?.writableRegion ?? load.current?.activeRegion ?? rt.secondary.region;
    await sleep(1000); // the last writes' replication lands
    const presentNow = await presentIn(rt, finalRegion, photoId, load.acked);
    const lostNow = lostWrites(load.acked, presentNow);
    const before = lostBefore as { present: Set<string>; at: number } | null;
    const lostBeforeFigures = before
      ? lostWrites(
          load.acked.filter((w) => w.ackAt <= before.at),
          before.present,
        )
      : lostNow;

    const runbooks = rt.regions.flatMap((r) =>
      rt.controlPlane
        .executions(r.region)
        .filter((e) => Date.parse(e.startDate) >= start)
        .map((e) => ({
          machine: e.stateMachineArn.split(':').at(-1)?.replace(/^.*-/, '') ?? '?',
          region: r.region,
          status: e.status,
          durationMs: e.stopDate ? Date.parse(e.stopDate) - Date.parse(e.startDate) : null,
          startedAt: new Date(Date.parse(e.startDate)).toISOString(),
          startedBy: startedBy(rt, e.executionArn),
          executionArn: e.executionArn,
        })),
    );
    const gap = longestWriteGap(load.acked, outcome.faultAt, end);
    const detectionMs = outcome.detectedAt ? outcome.detectedAt - outcome.faultAt : null;
    const detectionInOutage = Boolean(outcome.detectedAt && outcome.detectedAt >= gap.from && outcome.detectedAt <= gap.to);
    const states = await Promise.all(runbooks.map((r) => statesOf(rt, r.region, r.executionArn)));
    const measured: MeasuredRunbook[] = await Promise.all(
      runbooks.map(async (r) => {
        const from = Date.parse(r.startedAt);
        const to = r.durationMs === null ? end : from + r.durationMs;
        return {
          machine: r.machine,
          durationMs: r.durationMs,
          taskSteps: await lambdaSteps(rt, r.region, r.executionArn),
          inOutage: from < gap.to && to > gap.from,
        };
      }),
    );
    const alarmStarted = runbooks
      .filter((r) => r.startedBy.startsWith('alarm') && outcome.detectedAt && Date.parse(r.startedAt) >= outcome.detectedAt)
      .map((r) => Date.parse(r.startedAt) - (outcome.detectedAt as number));
    const awsModel = awsTimingModel({
      // infra/stage-config.cjs requires all three (positive numbers).
      stage: {
        probeIntervalSeconds: stage.thresholds.probeIntervalSeconds!,
        peerDownDatapoints: stage.thresholds.peerDownDatapoints!,
        peerDownEvaluationPeriods: stage.thresholds.peerDownEvaluationPeriods!,
      },
      localStateStoreRoundTripMs: rt.quorum.latencyMs(),
      localDetectionMs: detectionMs,
      localStartMs: alarmStarted.length > 0 ? Math.min(...alarmStarted) : null,
      localWriteOutageMs: gap.ms,
      detectionInOutage,
      runbooks: measured,
    });
    const reads = load.attempts.filter((a) => a.kind === 'read');
    const writes = load.attempts.filter((a) => a.kind === 'write');
    const twoWritableSamples = twoWritable(load.samples);
    const moves = handovers(load.acked);
    const forks = versionForks(load.samples);
    const stateMoves = runbooks.filter((r) => r.status === 'SUCCEEDED' && (r.machine === 'failover' || r.machine === 'failback')).length;
    const invariants = [
      ...outcome.invariants,
      {
        name: 'at most one writable region at every sample',
        ok: twoWritableSamples === 0,
        detail: `${twoWritableSamples} of ${load.samples.length} samples had two`,
      },
      {
        name: 'acknowledged writes never overlap across regions',
        ok: moves.every((h) => h.separated) && moves.length <= stateMoves,
        detail:
          moves.length === 0
            ? 'one region acknowledged every write'
            : `${moves.length} hand-over(s) for ${stateMoves} promotion(s); smallest gap ${Math.min(...moves.map((h) => h.gapMs))} ms`,
      },
      { name: 'no version of the state with two states', ok: forks.length === 0, detail: forks.join('; ') || 'none' },
    ];
    if (outcome.noLostWrites)
      invariants.push({ name: 'no acknowledged write lost (planned operation)', ok: lostNow.count === 0, detail: `${lostNow.count} lost` });
    if (outcome.reconciled)
      invariants.push({
        name: 'no acknowledged write lost after reconciliation',
        ok: lostNow.count === 0,
        detail: `${lostNow.count} lost`,
      });

    const figures: DrillFigures = {
      scenario: options.scenario,
      startedAt: new Date(start).toISOString(),
      durationMs: end - start,
      requests: {
        reads: reads.length,
        readErrors: reads.filter((a) => !a.ok).length,
        writeAttempts: writes.length,
        writesAcked: load.acked.length,
        writesAbandoned: load.abandoned.length,
      },
      writesRefused: refusedByReason(load.attempts),
      readsFailed: refusedByReason(load.attempts, 'read'),
      detectionMs,
      runbooks: runbooks.map(({ executionArn: _arn, ...r }, i) => ({ ...r, states: states[i] })),
      writeOutage: { ms: gap.ms, from: new Date(gap.from).toISOString(), to: new Date(gap.to).toISOString() },
      lostBeforeReconciliation: lostBeforeFigures,
      lostAfterReconciliation: outcome.reconciled ? lostNow : null,
      maxReplicationLagMs: lag.length ? Math.max(...lag.map((l) => l.ms)) : null,
      samples: load.samples.length,
      twoWritableSamples,
      handovers: moves,
      fencing: {
        leaseMs: rt.fencing.writeLeaseMs,
        clockSkewMarginMs: rt.fencing.clockSkewMarginMs,
        promotionWaitMs: rt.fencing.stateWriteTimeoutMs + rt.fencing.writeLeaseMs + rt.fencing.clockSkewMarginMs,
      },
      versionForks: forks,
      awsEstimate: {
        detectionMs: awsModel.detection?.typicalMs ?? null,
        writeOutageMs: awsModel.writeOutage.typicalMs,
        basis: `model (local/drills/aws-timing.ts): probe every ${stage.thresholds.probeIntervalSeconds} s, ${stage.thresholds.peerDownDatapoints} of ${stage.thresholds.peerDownEvaluationPeriods} datapoints, alarm evaluated every 10 s, EventBridge → Step Functions, runbook steps as measured with AWS state store round trips and cold steps; typical (fault mid-period), range in the rows above`,
        model: awsModel,
      },
      invariants,
      marks: marks.map((m) => ({ at: new Date(m.at).toISOString(), label: m.label })),
    };

    const dir = options.reportsDir ?? path.join(PROJECT_ROOT, 'reports');
    fs.mkdirSync(dir, { recursive: true });
    const stamp = figures.startedAt.replace(/[:.]/g, '-');
    const jsonPath = path.join(dir, `drill-${options.scenario}-${stamp}.json`);
    const htmlPath = path.join(dir, `drill-${options.scenario}-${stamp}.html`);
    fs.writeFileSync(
      jsonPath,
      JSON.stringify(
        {
          figures,
          acked: load.acked,
          abandoned: load.abandoned,
          // Each failed read (when, where it went last, how, how long): what the counts cannot say.
          failedReads: reads.filter((a) => !a.ok),
          samples: load.samples.length,
          stateSamples: load.samples,
        },
        null,
        2,
      ),
    );
    const detection: Span[] = outcome.detectedAt
      ? [
          {
            kind: 'detection',
            label: `detected in ${((outcome.detectedAt - outcome.faultAt) / 1000).toFixed(2)} s`,
            from: new Date(outcome.faultAt).toISOString(),
            to: new Date(outcome.detectedAt).toISOString(),
          },
        ]
      : [];
    fs.writeFileSync(
      htmlPath,
      htmlReport(figures, timeline(load.attempts, start, end), lag, {
        samples: load.samples,
        spans: detection,
        jsonHref: path.basename(jsonPath),
      }),
    );
    return { figures, ok: invariants.every((i) => i.ok), jsonPath, htmlPath, table: summaryTable(figures) };
  } finally {
    await rt.stop();
  }
}

function startedBy(rt: Runtime, executionArn: string): string {
  const started = rt.controlPlane.events().find((e) => e.type === 'ExecutionStarted' && e.executionArn === executionArn);
  const input = typeof started?.input === 'string' ? started.input : '';
  const match = /"requestedBy"\s*:\s*"([^"]+)"/.exec(input);
  return match?.[1] ?? 'unknown';
}

/** The Lambda task steps an execution ran, from its history. */
/** Where a run's time went, state by state (none when its region's API refuses: the region is cut). */
async function statesOf(rt: Runtime, region: string, executionArn: string): Promise<StateSpan[]> {
  try {
    const history = await sfnClient(rt, region).send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    return stateSpans(history.events ?? []);
  } catch {
    return [];
  }
}

async function lambdaSteps(rt: Runtime, region: string, executionArn: string): Promise<number> {
  try {
    const history = await sfnClient(rt, region).send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    return (history.events ?? []).filter((e) => e.type === 'LambdaFunctionScheduled').length;
  } catch {
    // The region is cut (its APIs refuse): its runbook is left without cold steps in the model.
    return 0;
  }
}
