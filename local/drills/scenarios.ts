// The game-day scenarios. Each injects its fault on the running runtime while the load runs,
// drives or waits for the runbooks, and states its own invariants; the runner measures the rest.
import { GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { loadStageConfig } from '../../infra/stage-config.cjs';
import type { Runtime } from '../runtime';
import type { LoadGenerator } from './load';
import { REPLICATION_SCENARIOS } from './replication-scenarios';
import type { Invariant } from './report';
import { appStateTable, documentClient, runRunbook, sfnClient, startRunbook, waitForExecution } from './runbooks';

export interface ScenarioContext {
  rt: Runtime;
  load: LoadGenerator;
  primary: string;
  secondary: string;
  /** The photo the load comments on, and the load's bearer token (its owner). */
  photoId: string;
  token: string;
  short: boolean;
  mark(label: string): number;
  /** Checks which acknowledged writes the writable region holds now: the "before reconciliation" figure. */
  checkLostNow(): Promise<void>;
  progress(line: string): void;
}

export interface ScenarioOutcome {
  /** When the fault (or the on-call action) started: the write outage is measured from here. */
  faultAt: number;
  /** The alarm that detected the fault, if one was expected. */
  detectedAt?: number | null;
  invariants: Invariant[];
  /** The scenario reconciled (failback): the runner checks lost writes again at the end. */
  reconciled?: boolean;
  /** Acknowledged writes may not be lost: a planned operation. */
  noLostWrites: boolean;
}

export interface Scenario {
  description: string;
  run(ctx: ScenarioContext): Promise<ScenarioOutcome>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

const KILL_SWITCH = (rt: Runtime) => `/switchyard/${rt.stage}/auto-failover`;
const regionDownAlarm = (rt: Runtime) => `switchyard-${rt.stage}-region-down-${rt.primary.region}`;

function alarmFiredAt(rt: Runtime, name: string, after: number): number | null {
  const event = rt.controlPlane
    .events()
    .find((e) => e.type === 'AlarmStateChange' && e.alarmName === name && e.state === 'ALARM' && Date.parse(String(e.at)) >= after);
  return event ? Date.parse(String(event.at)) : null;
}

const runsOf = (rt: Runtime, region: string, machine: string) =>
  rt.controlPlane.executions(region).filter((e) => e.stateMachineArn.endsWith(`-${machine}`));

/** State transitions recorded by the runbooks (audit records) in a region's replica. */
async function transitionsTo(rt: Runtime, region: string, to: string): Promise<number> {
  const appId = loadStageConfig(rt.stage).appId;
  const { Items = [] } = await documentClient(rt, region).send(
    new QueryCommand({
      TableName: appStateTable(rt),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `AUDIT#${appId}` },
    }),
  );
  return Items.filter((i) => i.to === to).length;
}

async function serving(ctx: ScenarioContext, state: string, timeoutMs: number): Promise<void> {
  await until(`the application to be ${state}`, () => ctx.load.current?.state === state, timeoutMs);
}

const check = (name: string, ok: boolean, detail: string): Invariant => ({ name, ok, detail });

async function outageAndAutomaticFailover(ctx: ScenarioContext): Promise<{ faultAt: number; detectedAt: number | null }> {
  ctx.rt.controlPlane.setParameter(ctx.secondary, KILL_SWITCH(ctx.rt), 'enabled');
  const faultAt = ctx.mark(`${ctx.primary} cut`);
  ctx.rt.chaos.cut(ctx.primary);
  await serving(ctx, 'failover', 45_000);
  ctx.mark(`${ctx.secondary} serving`);
  return { faultAt, detectedAt: alarmFiredAt(ctx.rt, regionDownAlarm(ctx.rt), faultAt) };
}

export const SCENARIOS: Record<string, Scenario> = {
  'planned-failover': {
    description: 'On-call runs a planned failover to the secondary under load',
    async run(ctx) {
      const faultAt = ctx.mark(`failover requested (${await probeSummary(ctx.rt, ctx.secondary)})`);
      // As on-call would: a refusal because the secondary's probe saw it unhealthy is retried
      // once the probe says healthy again (at most twice). Each refusal stays in the figures.
      let run = await runRunbook(ctx.rt, 'failover', ctx.secondary, {
        reason: 'Game day: planned failover',
        requestedBy: 'oncall:drill',
        mode: 'planned',
      });
      for (let retry = 0; retry < 2 && run.error === 'TargetRegionUnhealthy'; retry += 1) {
        ctx.mark(`failover refused (${await probeSummary(ctx.rt, ctx.secondary)}): on-call waits for a healthy probe`);
        await until(
          'the secondary healthy by its probe',
          async () => (await probeSummary(ctx.rt, ctx.secondary)).endsWith('healthy'),
          30_000,
        );
        run = await runRunbook(ctx.rt, 'failover', ctx.secondary, {
          reason: 'Game day: planned failover (again, the secondary is healthy)',
          requestedBy: 'oncall:drill',
          mode: 'planned',
        });
      }
      ctx.mark(`failover ${run.status?.toLowerCase()}`);
      return {
        faultAt,
        noLostWrites: true,
        invariants: [
          check(
            'the planned failover succeeded',
            run.status === 'SUCCEEDED',
            `${run.status}${run.error ? ` ${run.error}: ${await runReportError(ctx.rt, ctx.secondary, run.executionArn)}` : ''}`,
          ),
        ],
      };
    },
  },

  'region-outage': {
    description: 'The primary region goes dark; the alarm starts the failover by itself',
    async run(ctx) {
      const { faultAt, detectedAt } = await outageAndAutomaticFailover(ctx);
      await sleep(1000);
      const promoted = await transitionsTo(ctx.rt, ctx.secondary, 'failover');
      return {
        faultAt,
        detectedAt,
        noLostWrites: false,
        invariants: [
          check('the alarm detected the outage', detectedAt !== null, detectedAt ? `${detectedAt - faultAt} ms after the cut` : 'no ALARM'),
          check('exactly one automatic failover', promoted === 1, `${promoted} transition(s) to failover`),
        ],
      };
    },
  },

  'replication-outage': {
    description: 'The replication link is cut; a planned failover must refuse to promote and stay fenced',
    async run(ctx) {
      ctx.mark('replication link cut');
      ctx.rt.chaos.cutLink();
      await sleep(500);
      const faultAt = ctx.mark('failover requested');
      const run = await runRunbook(ctx.rt, 'failover', ctx.secondary, {
        reason: 'Game day: failover without replication',
        requestedBy: 'oncall:drill',
        mode: 'planned',
      });
      ctx.mark(`failover ${String(run.status).toLowerCase()} (${run.error ?? ''})`);
      const promoted = await transitionsTo(ctx.rt, ctx.secondary, 'failover');
      const primaryView = ctx.load.samples.at(-1)?.views[ctx.primary];
      const invariants = [
        check(
          'the failover refused to promote',
          run.status !== 'SUCCEEDED' && promoted === 0,
          `${run.status} ${run.error ?? ''}; ${promoted} promotion(s)`,
        ),
        check('the application stayed fenced', primaryView?.state === 'fenced', `primary says ${primaryView?.state ?? 'nothing'}`),
      ];
      ctx.rt.chaos.healLink();
      ctx.mark('link healed');
      // On-call waits for replication to catch up before deciding (RUNBOOK.md, gate timeout).
      await until('replication to catch up', () => ctx.rt.replicator.stats().every((st) => st.pending === 0), 60_000);
      ctx.mark('replication caught up');
      if (primaryView?.state === 'fenced') {
        const lifted = await runRunbook(ctx.rt, 'fence', ctx.primary, {
          reason: 'Game day: replication back, resume in the primary',
          requestedBy: 'oncall:drill',
          lift: true,
        });
        ctx.mark(
          `fence lift ${String(lifted.status).toLowerCase()}${lifted.error ? ` (${lifted.error}: ${String(lifted.cause ?? '').slice(0, 160)})` : ''}`,
        );
        invariants.push(
          check('writes resumed in the primary after the fence was lifted', lifted.status === 'SUCCEEDED', String(lifted.status)),
        );
      }
      return { faultAt, noLostWrites: true, invariants };
    },
  },

  flapping: {
    description: 'The primary flaps (cut/heal every second): no ping-pong, no automatic failback',
    async run(ctx) {
      ctx.rt.controlPlane.setParameter(ctx.secondary, KILL_SWITCH(ctx.rt), 'enabled');
      const faultAt = ctx.mark('flapping starts');
      for (let i = 0; i < (ctx.short ? 5 : 8); i += 1) {
        ctx.rt.chaos.cut(ctx.primary);
        await sleep(1000);
        ctx.rt.chaos.heal(ctx.primary);
        await sleep(1000);
      }
      ctx.mark('flapping ends');
      await sleep(3000);
      const promoted = await transitionsTo(ctx.rt, ctx.secondary, 'failover');
      const failbacks = runsOf(ctx.rt, ctx.primary, 'failback').length + runsOf(ctx.rt, ctx.secondary, 'failback').length;
      return {
        faultAt,
        detectedAt: alarmFiredAt(ctx.rt, regionDownAlarm(ctx.rt), faultAt),
        noLostWrites: false,
        invariants: [
          check(
            'at most one failover',
            promoted <= 1,
            `${promoted} promotion(s), ${runsOf(ctx.rt, ctx.secondary, 'failover').length} run(s) started`,
          ),
          check('no automatic failback', failbacks === 0, `${failbacks} failback run(s)`),
        ],
      };
    },
  },

  failback: {
    description: 'After an outage and automatic failover: heal, wait for a healthy primary, reconcile, fail back',
    async run(ctx) {
      const { faultAt, detectedAt } = await outageAndAutomaticFailover(ctx);
      await sleep(2000);
      ctx.rt.chaos.heal(ctx.primary);
      ctx.mark(`${ctx.primary} healed`);
      await sleep(1000);
      await ctx.checkLostNow();
      // The primary must be healthy for the stage's period (scaled to the local probe rate).
      const needed = primaryHealthySeconds(ctx.rt);
      ctx.progress(`waiting for ${ctx.primary} to be healthy for ${needed} s (failback precondition)…`);
      await until(
        `${ctx.primary} healthy for ${needed} s`,
        async () => {
          const res = await fetch(`${ctx.rt.primary.apiUrl}/health?deep=1`).catch(() => null);
          const body = (await res?.json().catch(() => null)) as { probe?: { self?: { healthySince?: string | null } } } | null;
          const since = body?.probe?.self?.healthySince;
          return since ? Date.now() - Date.parse(since) >= (needed + 1) * 1000 : false;
        },
        needed * 1000 + 30_000,
      );
      const started = ctx.mark('failback requested');
      const arn = await startRunbook(ctx.rt, 'failback', ctx.primary, {
        reason: 'Game day: primary recovered',
        requestedBy: 'oncall:drill',
      });
      const run = await waitForExecution(ctx.rt, ctx.primary, arn);
      ctx.mark(`failback ${String(run.status).toLowerCase()}`);
      const history =
        (await sfnClient(ctx.rt, ctx.primary).send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 1000 }))).events ?? [];
      const reconciled = history.some((e) => e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name === 'Reconcile');
      return {
        faultAt,
        detectedAt,
        noLostWrites: false,
        reconciled: true,
        invariants: [
          check(
            'the failback succeeded',
            run.status === 'SUCCEEDED',
            `${run.status}${run.error ? ` ${run.error}` : ''} after ${Date.now() - started} ms`,
          ),
          check(
            'the failback reconciled before promoting',
            reconciled,
            reconciled ? 'Reconcile step ran' : 'no Reconcile step in the history',
          ),
        ],
      };
    },
  },

  'double-trigger': {
    description: 'The alarm and on-call start a failover at the same moment: one promotion only',
    async run(ctx) {
      ctx.rt.controlPlane.setParameter(ctx.secondary, KILL_SWITCH(ctx.rt), 'enabled');
      const faultAt = ctx.mark(`${ctx.primary} cut`);
      ctx.rt.chaos.cut(ctx.primary);
      const detectedAt = await until('the region-down alarm', () => alarmFiredAt(ctx.rt, regionDownAlarm(ctx.rt), faultAt), 45_000);
      ctx.mark('alarm + on-call');
      const manual = await startRunbook(ctx.rt, 'failover', ctx.secondary, {
        reason: 'Game day: on-call fails over too',
        requestedBy: 'oncall:drill',
        mode: 'ungraceful',
      });
      await waitForExecution(ctx.rt, ctx.secondary, manual);
      await until(
        'every failover run to end',
        () => runsOf(ctx.rt, ctx.secondary, 'failover').every((e) => e.status !== 'RUNNING'),
        60_000,
      );
      await serving(ctx, 'failover', 30_000);
      const promoted = await transitionsTo(ctx.rt, ctx.secondary, 'failover');
      const runs = runsOf(ctx.rt, ctx.secondary, 'failover');
      return {
        faultAt,
        detectedAt,
        noLostWrites: false,
        invariants: [
          check(
            'exactly one promotion',
            promoted === 1,
            `${promoted} transition(s) to failover from ${runs.length} run(s): ${runs.map((r) => r.status).join(', ')}`,
          ),
        ],
      };
    },
  },
};

/** Why a run failed, from its report (the runbook's own record of each step). */
async function runReportError(rt: Runtime, region: string, executionArn: string | undefined): Promise<string> {
  const name = executionArn?.split(':').at(-1) ?? '';
  const appId = loadStageConfig(rt.stage).appId;
  const { Item } = await documentClient(rt, region).send(
    new GetCommand({ TableName: appStateTable(rt), Key: { pk: `REPORT#${appId}`, sk: name }, ConsistentRead: true }),
  );
  const error = Item?.error as { message?: string } | undefined;
  const health = await documentClient(rt, region).send(
    new GetCommand({ TableName: appStateTable(rt), Key: { pk: `HEALTH#${appId}`, sk: region }, ConsistentRead: true }),
  );
  return `${error?.message ?? String(Item?.summary ?? 'no report')} [probe record: ${JSON.stringify({ ...health.Item, checks: undefined })}]`;
}

/** What a region's probe last recorded, as GET /health?deep=1 shows it: for the drill's timeline. */
async function probeSummary(rt: Runtime, region: string): Promise<string> {
  const api = rt.regions.find((r) => r.region === region)?.apiUrl;
  const res = await fetch(`${api}/health?deep=1`).catch(() => null);
  const body = (await res?.json().catch(() => null)) as { probe?: { self?: { status?: string; detail?: string } } } | null;
  const self = body?.probe?.self;
  return self ? `${region} probe: ${self.status}${self.status === 'healthy' ? '' : `, ${self.detail}`}` : `${region} probe: no answer`;
}

function primaryHealthySeconds(rt: Runtime): number {
  // The runtime scales the stage's period to the local probe rate (see local/runtime/index.ts).
  const fn = rt.primary.topology.functions.find((f) => f.key === 'runbookFailbackPreconditions');
  const aws = Number(fn?.environment.RUNBOOK_PRIMARY_HEALTHY_SECONDS ?? 300);
  return Math.ceil(aws * rt.timeScale);
}

// Unordered replication and exactly-once writes (issue 14): ./replication-scenarios.ts.
Object.assign(SCENARIOS, REPLICATION_SCENARIOS);
