// The game-day scenarios. Each injects its fault on the running runtime while the load runs,
// drives or waits for the runbooks, and states its own invariants; the runner measures the rest.
import { DescribeExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { loadStageConfig } from '../../infra/stage-config.cjs';
import { appStateKey } from '../../shared/app-state/store';
import { runbookOfStateMachine } from '../../state-machines/names';
import { eventually } from '../eventually';
import type { Runtime } from '../runtime';
import { scaledFunctionEnv } from '../runtime/time-scale';
import { plannedFailoverAsOnCall, probeSummary, toItsEnd } from './kit';
import type { Load } from './load-thread';
import { primaryHealthyForFailback, REPLICATION_SCENARIOS } from './replication-scenarios';
import { type Invariant, versionRegressions } from './report';
import {
  historyOf,
  type Machine,
  quorumClient,
  quorumTable,
  runbookRecords,
  runRunbook,
  sfnClient,
  startRunbook,
  waitForExecution,
  waitForLockRelease,
} from './runbooks';

export interface ScenarioContext {
  rt: Runtime;
  load: Load;
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

const KILL_SWITCH = (rt: Runtime) => `/switchyard/${rt.stage}/auto-failover`;
const regionDownAlarm = (rt: Runtime) => `switchyard-${rt.stage}-region-down-${rt.primary.region}`;

function alarmFiredAt(rt: Runtime, name: string, after: number): number | null {
  const event = rt.controlPlane
    .events()
    .find((e) => e.type === 'AlarmStateChange' && e.alarmName === name && e.state === 'ALARM' && Date.parse(String(e.at)) >= after);
  return event ? Date.parse(String(event.at)) : null;
}

const runsOf = (rt: Runtime, region: string, machine: Machine) =>
  rt.controlPlane.executions(region).filter((e) => runbookOfStateMachine(rt.stage, e.stateMachineArn) === machine);

/** State transitions recorded by the runbooks (audit records) in a region's replica. */
async function transitionsTo(rt: Runtime, region: string, to: string): Promise<number> {
  return (await runbookRecords(rt, region).auditTrail()).filter((i) => i.to === to).length;
}

async function serving(ctx: ScenarioContext, state: string, timeoutMs: number): Promise<void> {
  await eventually(`the application to be ${state}`, () => ctx.load.current?.state === state, timeoutMs);
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
      const { value: run } = await plannedFailoverAsOnCall(ctx, 'Game day: planned failover', toItsEnd(ctx.rt, ctx.secondary));
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
      // The alarm stays in ALARM: nothing may start a second run, nor a failback by itself.
      const failbacks = ctx.rt.regions
        .flatMap((r) => ctx.rt.controlPlane.executions(r.region))
        .filter((e) => runbookOfStateMachine(ctx.rt.stage, e.stateMachineArn) === 'failback');
      const subjects = ctx.rt.controlPlane.snsMessages(ctx.secondary).map((m) => m.subject ?? '');
      const told = {
        alarm: subjects.some((subject) => subject.startsWith('ALARM') && subject.includes(regionDownAlarm(ctx.rt))),
        // The best-effort fence lands in the quorum even with the primary gone: active -> fenced -> failover.
        fence: subjects.some((subject) => subject.includes('active -> fenced')),
        promotion: subjects.some((subject) => subject.includes('fenced -> failover')),
      };
      return {
        faultAt,
        detectedAt,
        noLostWrites: false,
        invariants: [
          check('the alarm detected the outage', detectedAt !== null, detectedAt ? `${detectedAt - faultAt} ms after the cut` : 'no ALARM'),
          check('exactly one automatic failover', promoted === 1, `${promoted} transition(s) to failover`),
          check('no failback started by itself', failbacks.length === 0, `${failbacks.length} failback run(s)`),
          check(
            'on-call was told: the alarm, the fence and the promotion',
            told.alarm && told.fence && told.promotion,
            Object.entries(told)
              .map(([what, yes]) => `${what} ${yes ? 'sent' : 'MISSING'}`)
              .join(', '),
          ),
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
      // On-call waits for replication to catch up before deciding (RUNBOOK.md, gate timeout): the
      // backlog of the cut delivered. The probes keep writing every second, so "nothing pending at
      // all" may not come for a long while; nothing pending for more than a second is caught up.
      await eventually('replication to catch up', () => caughtUp(ctx.rt), 60_000);
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
      await primaryHealthyForFailback(ctx);
      const started = ctx.mark('failback requested');
      const arn = await startRunbook(ctx.rt, 'failback', ctx.primary, {
        reason: 'Game day: primary recovered',
        requestedBy: 'oncall:drill',
      });
      const run = await waitForExecution(ctx.rt, ctx.primary, arn);
      ctx.mark(`failback ${String(run.status).toLowerCase()}`);
      const history = await historyOf(ctx.rt, ctx.primary, arn);
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
            // The cause names what stopped it (for UnresolvedConflicts: the items and what each region holds).
            `${run.status}${run.error ? ` ${run.error}` : ''} after ${Date.now() - started} ms${run.cause ? `: ${String(run.cause).slice(0, 600)}` : ''}`,
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
      const detectedAt = await eventually('the region-down alarm', () => alarmFiredAt(ctx.rt, regionDownAlarm(ctx.rt), faultAt), 45_000);
      ctx.mark('alarm + on-call');
      const manual = await startRunbook(ctx.rt, 'failover', ctx.secondary, {
        reason: 'Game day: on-call fails over too',
        requestedBy: 'oncall:drill',
        mode: 'ungraceful',
      });
      await waitForExecution(ctx.rt, ctx.secondary, manual);
      await eventually(
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

  'partition-primary': {
    description: 'The primary is partitioned (serves its own clients, loses everything across regions); the secondary promotes by itself',
    async run(ctx) {
      ctx.rt.controlPlane.setParameter(ctx.secondary, KILL_SWITCH(ctx.rt), 'enabled');
      const faultAt = ctx.mark(`${ctx.primary} partitioned`);
      ctx.rt.chaos.partition(ctx.primary);
      await serving(ctx, 'failover', 45_000);
      ctx.mark(`${ctx.secondary} serving`);
      await eventually('the secondary to acknowledge writes', () => ackedBy(ctx, ctx.secondary, faultAt).length > 3, 30_000);
      ctx.mark(`${ctx.secondary} acknowledges writes`);
      await sleep(ctx.short ? 1000 : 3000);
      const handover = handoverLine(ctx, ctx.primary, ctx.secondary, faultAt);
      const primaryLate = ackedBy(ctx, ctx.primary, faultAt + ctx.rt.fencing.writeLeaseMs + ctx.rt.fencing.clockSkewMarginMs).length;
      ctx.rt.chaos.healPartition(ctx.primary);
      ctx.mark(`${ctx.primary} healed`);
      // What the primary acknowledged before its lease ended reaches the secondary once replication resumes.
      await eventually('replication to deliver what was queued', () => caughtUp(ctx.rt), 120_000);
      ctx.mark('replication caught up');
      const promoted = await transitionsTo(ctx.rt, ctx.secondary, 'failover');
      const [p, q] = await Promise.all([quorumState(ctx.rt, ctx.primary), quorumState(ctx.rt, ctx.secondary)]);
      return {
        faultAt,
        detectedAt: alarmFiredAt(ctx.rt, regionDownAlarm(ctx.rt), faultAt),
        noLostWrites: true,
        invariants: [
          check('exactly one automatic failover', promoted === 1, `${promoted} transition(s) to failover`),
          check("the primary's last acknowledged write comes before the secondary's first", handover.ok, handover.detail),
          check(
            'the partitioned primary acknowledged nothing after its lease',
            primaryLate === 0,
            `${primaryLate} write(s) sent after the lease + margin and acknowledged`,
          ),
          check(
            'both regions read one state from the quorum after healing',
            p !== null && q !== null && p.version === q.version && p.state === q.state,
            `${ctx.primary}: ${p ? `${p.state} v${p.version}` : 'no answer'}, ${ctx.secondary}: ${q ? `${q.state} v${q.version}` : 'no answer'}`,
          ),
        ],
      };
    },
  },

  'partition-link': {
    description: 'The two regions lose sight of each other but both keep the witness: no failover, the primary keeps taking writes',
    async run(ctx) {
      ctx.rt.controlPlane.setParameter(ctx.secondary, KILL_SWITCH(ctx.rt), 'enabled');
      const faultAt = ctx.mark('link between the regions partitioned');
      ctx.rt.chaos.partitionLink();
      // Longer than detection (3 probe rounds) and the heartbeat's staleness together.
      await sleep(ctx.short ? 8000 : 12_000);
      const during = ackedBy(ctx, ctx.primary, faultAt).length;
      const alarm = alarmFiredAt(ctx.rt, regionDownAlarm(ctx.rt), faultAt);
      ctx.rt.chaos.healPartitionLink();
      ctx.mark('link healed');
      await eventually('replication to catch up', () => caughtUp(ctx.rt), 120_000);
      const runs = runsOf(ctx.rt, ctx.secondary, 'failover').filter((e) => Date.parse(e.startDate) >= faultAt);
      const promoted = await transitionsTo(ctx.rt, ctx.secondary, 'failover');
      return {
        faultAt,
        noLostWrites: true,
        invariants: [
          check(
            'no failover started',
            runs.length === 0 && promoted === 0,
            `${runs.length} run(s), ${promoted} promotion(s); alarm ${alarm ? 'fired' : 'quiet'}`,
          ),
          check(
            'the primary kept acknowledging writes',
            during > 0,
            `${during} write(s) acknowledged by ${ctx.primary} during the partition`,
          ),
        ],
      };
    },
  },

  'witness-outage': {
    description: 'The witness region goes down: nothing changes for clients, and a planned failover during it still succeeds',
    async run(ctx) {
      const faultAt = ctx.mark('witness down');
      ctx.rt.chaos.witnessDown();
      await sleep(ctx.short ? 2000 : 4000);
      const during = ackedBy(ctx, ctx.primary, faultAt).length;
      const { value: run } = await plannedFailoverAsOnCall(
        ctx,
        'Game day: planned failover with the witness down',
        toItsEnd(ctx.rt, ctx.secondary),
      );
      ctx.mark(`failover ${String(run.status).toLowerCase()}`);
      await sleep(2000);
      ctx.rt.chaos.witnessUp();
      ctx.mark('witness up');
      return {
        faultAt,
        noLostWrites: true,
        invariants: [
          check('writes went on with the witness down', during > 0, `${during} write(s) acknowledged by ${ctx.primary}`),
          check('the planned failover succeeded', run.status === 'SUCCEEDED', `${run.status}${run.error ? ` ${run.error}` : ''}`),
        ],
      };
    },
  },

  'isolated-everywhere': {
    description: 'Link partitioned and witness down: no region reaches a majority, so none acknowledges writes; reads go on',
    async run(ctx) {
      ctx.rt.controlPlane.setParameter(ctx.secondary, KILL_SWITCH(ctx.rt), 'enabled');
      const before = await quorumState(ctx.rt, ctx.primary);
      const faultAt = ctx.mark('link partitioned and witness down');
      ctx.rt.chaos.partitionLink();
      ctx.rt.chaos.witnessDown();
      const leaseOver = faultAt + ctx.rt.fencing.writeLeaseMs + ctx.rt.fencing.clockSkewMarginMs;
      await sleep(ctx.short ? 6000 : 10_000);
      const lateAcks = ctx.load.acked.filter((w) => w.sentAt > leaseOver).length;
      const readsDuring = ctx.load.attempts.filter((a) => a.kind === 'read' && a.at > leaseOver);
      const healAt = ctx.mark('witness up (link still partitioned)');
      ctx.rt.chaos.witnessUp();
      await eventually('writes to resume by themselves', () => ackedBy(ctx, ctx.primary, healAt).length > 0, 30_000);
      ctx.mark('writes resumed');
      ctx.rt.chaos.healPartitionLink();
      ctx.mark('link healed');
      await eventually('replication to catch up', () => caughtUp(ctx.rt), 120_000);
      const after = await quorumState(ctx.rt, ctx.primary);
      return {
        faultAt,
        noLostWrites: true,
        invariants: [
          check('no region acknowledged a write after the lease', lateAcks === 0, `${lateAcks} acknowledged`),
          check(
            'reads were served',
            readsDuring.length > 0 && readsDuring.filter((a) => a.ok).length > 0,
            `${readsDuring.filter((a) => a.ok).length} of ${readsDuring.length} reads ok`,
          ),
          check(
            'the state did not change',
            before?.version === after?.version && before?.state === after?.state,
            `before ${before?.state} v${before?.version}, after ${after?.state} v${after?.version}`,
          ),
        ],
      };
    },
  },

  'lift-vs-resume': {
    description:
      'Replication cut, the gate times out; then on-call lifts the fence in the primary while another resumes the failover in the secondary',
    async run(ctx) {
      ctx.rt.chaos.cutLink();
      ctx.mark('replication link cut');
      const faultAt = ctx.mark('planned failover requested');
      const first = await runRunbook(ctx.rt, 'failover', ctx.secondary, {
        reason: 'Game day: failover without replication',
        requestedBy: 'oncall:drill',
        mode: 'planned',
      });
      ctx.mark(`failover ${String(first.status).toLowerCase()} (${first.error ?? ''})`);
      await waitForLockRelease(ctx.rt);
      const fenced = await quorumState(ctx.rt, ctx.primary);
      ctx.mark(`at the same moment: lift in ${ctx.primary}, ungraceful failover in ${ctx.secondary}`);
      const [lift, resume] = await Promise.all([
        startRunbook(ctx.rt, 'fence', ctx.primary, { reason: 'Game day: lift', requestedBy: 'oncall:alice', lift: true }),
        // On-call has checked the secondary: a probe that saw it slow under load must not decide the race.
        startRunbook(ctx.rt, 'failover', ctx.secondary, {
          reason: 'Game day: resume in the secondary',
          requestedBy: 'oncall:bob',
          mode: 'ungraceful',
          force: true,
        }),
      ]);
      const [lifted, resumed] = await Promise.all([
        waitForExecution(ctx.rt, ctx.primary, lift),
        waitForExecution(ctx.rt, ctx.secondary, resume),
      ]);
      ctx.mark(
        `lift ${String(lifted.status).toLowerCase()} (${lifted.error ?? 'ok'}), resume ${String(resumed.status).toLowerCase()} (${resumed.error ?? 'ok'})`,
      );
      ctx.rt.chaos.healLink();
      ctx.mark('link healed');
      await eventually('replication to catch up', () => caughtUp(ctx.rt), 120_000);
      const [p, q] = await Promise.all([quorumState(ctx.rt, ctx.primary), quorumState(ctx.rt, ctx.secondary)]);
      const succeeded = [lifted, resumed].filter((r) => r.status === 'SUCCEEDED').length;
      const loser = [lifted, resumed].find((r) => r.status !== 'SUCCEEDED');
      // Versions never go down in what clients saw from regions that reached the quorum.
      const downs = versionRegressions(ctx.load.samples).length;
      return {
        faultAt,
        noLostWrites: true,
        invariants: [
          check('the gate refused first, leaving the state fenced', fenced?.state === 'fenced', `${fenced?.state} v${fenced?.version}`),
          check(
            'exactly one of lift and resume succeeded, the other refused with a named error',
            succeeded === 1 && typeof loser?.error === 'string' && !loser.error.startsWith('States.'),
            `lift ${lifted.status} ${lifted.error ?? ''}, resume ${resumed.status} ${resumed.error ?? ''}`,
          ),
          check(
            'one state in every replica',
            p !== null && q !== null && p.version === q.version && p.state === q.state,
            `${ctx.primary}: ${p?.state} v${p?.version}, ${ctx.secondary}: ${q?.state} v${q?.version}`,
          ),
          check('no version ever went down', downs === 0, `${downs} time(s)`),
        ],
      };
    },
  },

  'operator-fence': {
    description: 'On-call fences, then the primary fails: the automatic failover is refused and the state stays fenced',
    async run(ctx) {
      ctx.rt.controlPlane.setParameter(ctx.secondary, KILL_SWITCH(ctx.rt), 'enabled');
      const fence = await runRunbook(ctx.rt, 'fence', ctx.primary, {
        reason: 'Game day: bad deploy, stop writes',
        requestedBy: 'oncall:drill',
      });
      ctx.mark(
        `on-call fence ${String(fence.status).toLowerCase()}${fence.error ? ` (${fence.error}: ${String(fence.cause ?? '').slice(0, 160)})` : ''}`,
      );
      const faultAt = ctx.mark(`${ctx.primary} cut`);
      ctx.rt.chaos.cut(ctx.primary);
      await eventually(
        'an automatic failover to run and end',
        () => runsOf(ctx.rt, ctx.secondary, 'failover').some((e) => Date.parse(e.startDate) >= faultAt && e.status !== 'RUNNING'),
        45_000,
      );
      await sleep(2000);
      const runs = runsOf(ctx.rt, ctx.secondary, 'failover').filter((e) => Date.parse(e.startDate) >= faultAt);
      const errors = await Promise.all(
        runs.map(async (r) => (await waitForExecution(ctx.rt, ctx.secondary, r.executionArn)).error ?? r.status),
      );
      const state = await quorumState(ctx.rt, ctx.secondary);
      ctx.rt.chaos.heal(ctx.primary);
      ctx.mark(`${ctx.primary} healed`);
      const lifted = await runRunbook(ctx.rt, 'fence', ctx.primary, {
        reason: 'Game day: fixed, lift',
        requestedBy: 'oncall:drill',
        lift: true,
      });
      ctx.mark(`on-call lift ${String(lifted.status).toLowerCase()}`);
      return {
        faultAt,
        detectedAt: alarmFiredAt(ctx.rt, regionDownAlarm(ctx.rt), faultAt),
        noLostWrites: false,
        invariants: [
          check('on-call fenced', fence.status === 'SUCCEEDED', String(fence.status)),
          check(
            'every automatic run was refused with FenceNotOwned',
            runs.length > 0 && errors.every((e) => e === 'FenceNotOwned'),
            `${runs.length} run(s): ${errors.join(', ')}`,
          ),
          check('the state stayed fenced', state?.state === 'fenced', `${state?.state} v${state?.version}`),
        ],
      };
    },
  },

  'stopped-runbook': {
    description: "A runbook execution is stopped mid-run: the next run is blocked for no longer than the lock's lease",
    async run(ctx) {
      // A planned failover that waits in its replication gate (link cut), then is stopped.
      ctx.rt.chaos.cutLink();
      const sfn = sfnClient(ctx.rt, ctx.secondary);
      const arn = await startRunbook(ctx.rt, 'failover', ctx.secondary, {
        reason: 'Game day: to be stopped',
        requestedBy: 'oncall:drill',
        mode: 'planned',
        force: true,
      });
      const waiting = await eventually(
        'the failover to fence and wait in its replication gate',
        async () => {
          const fenced = (await quorumState(ctx.rt, ctx.secondary))?.state === 'fenced';
          const running = (await sfn.send(new DescribeExecutionCommand({ executionArn: arn }))).status === 'RUNNING';
          return running ? fenced && 'fenced' : 'ended';
        },
        30_000,
      );
      if (waiting === 'ended') throw new Error('the failover to be stopped ended by itself');
      await sleep(1000);
      const faultAt = ctx.mark('failover stopped mid-run');
      await sfn.send(new StopExecutionCommand({ executionArn: arn, cause: 'Game day: stopped' }));
      ctx.rt.chaos.healLink();
      const lease = lockLeaseSeconds(ctx.rt);
      // On-call lifts the fence the stopped run left, retrying while the lock is still held.
      let lifted: Awaited<ReturnType<typeof waitForExecution>> | undefined;
      for (;;) {
        const started = Date.now();
        const liftArn = await startRunbook(ctx.rt, 'fence', ctx.primary, {
          reason: 'Game day: lift after a stopped run',
          requestedBy: 'oncall:drill',
          lift: true,
        });
        lifted = await waitForExecution(ctx.rt, ctx.primary, liftArn);
        if (lifted.error !== 'RunbookLocked' || Date.now() - faultAt > (lease + 15) * 1000) break;
        await sleep(Math.max(0, 1000 - (Date.now() - started)));
      }
      const blockedMs = Date.now() - faultAt;
      ctx.mark(`lift ${String(lifted?.status).toLowerCase()} after ${Math.round(blockedMs / 100) / 10} s`);
      return {
        faultAt,
        noLostWrites: true,
        invariants: [
          check('the next run succeeded', lifted?.status === 'SUCCEEDED', `${lifted?.status} ${lifted?.error ?? ''}`),
          check(
            "it was blocked no longer than the lock's lease",
            blockedMs <= (lease + 3) * 1000,
            `blocked ${Math.round(blockedMs / 100) / 10} s, lease ${lease} s (+ one retry and the run itself)`,
          ),
        ],
      };
    },
  },
};

/** The application state as `region` reads it from the quorum store (null when it cannot). */
async function quorumState(rt: Runtime, region: string): Promise<{ state: string; version: number; activeRegion: string } | null> {
  const appId = loadStageConfig(rt.stage).appId;
  try {
    const { Item } = await quorumClient(rt, region).send(
      new GetCommand({ TableName: quorumTable(rt), Key: appStateKey(appId), ConsistentRead: true }),
    );
    // No item yet: the initial state (active in the primary, version 0), as the store reads it.
    if (!Item) return { state: 'active', version: 0, activeRegion: rt.primary.region };
    return { state: String(Item.state), version: Number(Item.version), activeRegion: String(Item.activeRegion) };
  } catch {
    return null;
  }
}

/**
 * Replication has delivered what a cut held back: nothing waits longer than a second. Under load
 * something is always pending for a moment, so "nothing pending" would wait for a lull.
 */
function caughtUp(rt: Runtime): boolean {
  return rt.replicator.stats().every((st) => st.pending === 0 || (st.oldestPendingAgeMs ?? 0) < 1000);
}

/** Writes `region` acknowledged that were sent after `after` (ms since epoch). */
const ackedBy = (ctx: ScenarioContext, region: string, after: number) =>
  ctx.load.acked.filter((w) => w.region === region && w.sentAt > after);

/** The runbook lock's lease, as the runtime gave it to the functions (scaled locally). */
function lockLeaseSeconds(rt: Runtime): number {
  return Number(scaledFunctionEnv(loadStageConfig(rt.stage), rt.timeScale).RUNBOOK_LOCK_LEASE_SECONDS);
}

/** The last write the old region acknowledged before the new one's first, and the gap: the report prints it. */
function handoverLine(ctx: ScenarioContext, from: string, to: string, after: number): { ok: boolean; detail: string } {
  const last = ctx.load.acked.filter((w) => w.region === from && w.sentAt > after).reduce((m, w) => Math.max(m, w.ackAt), 0);
  const firstNew = ctx.load.acked.filter((w) => w.region === to && w.sentAt > after).reduce((m, w) => Math.min(m, w.sentAt), Infinity);
  if (!Number.isFinite(firstNew)) return { ok: false, detail: `${to} acknowledged no write` };
  if (last === 0) return { ok: true, detail: `${from} acknowledged nothing after the fault; ${to} took over` };
  return {
    ok: firstNew > last,
    detail: `${from}'s last acknowledgement ${new Date(last).toISOString().slice(11, 23)}, ${to}'s first write sent ${new Date(firstNew).toISOString().slice(11, 23)}: gap ${firstNew - last} ms`,
  };
}

/** Why a run failed, from its report (the runbook's own record of each step). */
async function runReportError(rt: Runtime, region: string, executionArn: string | undefined): Promise<string> {
  const records = runbookRecords(rt, region);
  const Item = await records.report(executionArn ?? '');
  const error = Item?.error as { message?: string } | undefined;
  const health = { Item: await records.healthRecord(region) };
  return `${error?.message ?? String(Item?.summary ?? 'no report')} [probe record: ${JSON.stringify({ ...health.Item, checks: undefined })}]`;
}

// Unordered replication and exactly-once writes (issue 14): ./replication-scenarios.ts.
Object.assign(SCENARIOS, REPLICATION_SCENARIOS);
