// What a runbook execution carries from state to state (the ASL passes the whole document to
// every step and stores each step's result under its own key), plus the records runbooks keep
// in the app-state table. Pure types and key builders: no I/O.
import type { AppState, AppStateName } from '../../shared/app-state/model';
import { healthRecordKey } from '../../shared/health/record';
import type { RunbookMachine } from '../../state-machines/names';
import type { JournalProgress } from './decisions/journal-verification';
import type { RefusalError } from './errors';

export type { AppStateName } from '../../shared/app-state/model';
export type RunbookName = RunbookMachine;
export type FailoverMode = 'planned' | 'ungraceful';

/** The application state as one region's replica shows it. */
export type StateSnapshot = AppState;

/** Validated execution input plus where and by whom the run happens (the Begin step's result, `$.run`). */
export interface RunContext {
  runbook: RunbookName;
  executionId: string;
  executionName: string;
  startedAt: string;
  appId: string;
  region: string;
  peerRegion: string;
  primaryRegion: string;
  secondaryRegion: string;
  requestedBy: string;
  reason: string;
  /** requestedBy starts with "alarm:": the stricter automatic-run rules apply. */
  automatic: boolean;
  dryRun: boolean;
  force: boolean;
  expectedVersion: number | null;
  /** failover only. */
  mode: FailoverMode | null;
  /** fence only: lift an existing fence instead of setting one. */
  lift: boolean;
  /** failback only: an operator vouches for the primary's health when no probe reports it. */
  primaryHealthConfirmed: boolean;
  /** When the outage was detected (alarm time), for the measured recovery time. */
  detectedAt: string | null;
  /** False for practice runs, which never take the lock. */
  lockHeld: boolean;
  /** The fence runbook's bounded wait for in-flight writes (failover/failback carry it in their plan). */
  drainSeconds: number;
}

export interface Refusal {
  rule: string;
  error: RefusalError;
  message: string;
  /** A human may override it with `force` (recorded in the report and the audit records). */
  overridable: boolean;
}

export interface FencePlan {
  /** Region whose replica receives the write: the one whose writers must see the fence first. */
  region: string;
  bestEffort: boolean;
  expectedVersion: number;
}

export interface GatePlan {
  /** Region being left: markers are written there... */
  sourceRegion: string;
  /** ...and must become visible here. */
  targetRegion: string;
  timeoutSeconds: number;
  pollSeconds: number;
}

/** A precondition step's result (`$.plan`): what the run will do, or why it will not. */
export interface RunbookPlan {
  runbook: RunbookName;
  verdict: 'proceed' | 'refuse';
  fromState: AppStateName;
  fromVersion: number;
  activeRegion: string;
  steps: { fence: boolean; bestEffortFence: boolean; gate: boolean; reconcile: boolean; promote: boolean };
  fence: FencePlan | null;
  gate: GatePlan | null;
  promote: { to: AppStateName; region: string; ungraceful: boolean } | null;
  drainSeconds: number;
  refusals: Refusal[];
  /** Refusals a human overrode with force. */
  overrides: Refusal[];
  warnings: string[];
}

export type FenceOutcome =
  | 'fenced'
  | 'lifted'
  | 'already-done'
  | 'would-fence'
  | 'would-lift'
  | 'unreachable'
  | 'reachable'
  | 'failed'
  | 'skipped';

/** The fence step's result (`$.fence`). */
export interface FenceResult {
  action: 'fence' | 'lift';
  region: string;
  outcome: FenceOutcome;
  bestEffort: boolean;
  from: AppStateName | null;
  to: AppStateName | null;
  version: number | null;
  at: string;
  /**
   * A fence that took effect: writes admitted before it have all ended by then (the drain's end).
   * The drain's Wait reads it (Step Functions truncates its milliseconds); the next step waits out
   * the rest (decisions/drain.ts).
   */
  drainUntil?: string | null;
  detail: string;
}

/** The replication gate's progress (`$.gate`), rewritten by each marker write and check. */
export interface GateProgress {
  phase: 'catch-up' | 'final';
  status: 'pending' | 'waiting' | 'remeasure' | 'passed' | 'timed-out';
  sourceRegion: string;
  targetRegion: string;
  round: number;
  markerId: string;
  /** Epoch ms. */
  writtenAt: number;
  startedAt: number;
  deadline: number;
  /** Per table: epoch ms of the first check that saw the marker. */
  seenAt: Record<string, number>;
  checks: number;
  pollSeconds: number;
  maxLagSeconds: number;
  lagMs: number | null;
  /** State version the target must show (the fence), null when none is required. */
  requiredVersion: number | null;
  /** The per-write proof (decisions/journal-verification.ts); markers are only the fast first check. */
  journal?: JournalProgress;
  reason: string;
}

export interface ItemRef {
  table: string;
  pk: string;
  sk: string;
}

/** An item both regions wrote: the old primary before the failover (stranded), the secondary since. */
export interface ConflictReport extends ItemRef {
  /** When the stranded write and the secondary's write were made (null: not known, e.g. a lost race). */
  primaryTime: string | null;
  secondaryTime: string | null;
  /**
   * What last-writer-wins replication has made of it so far: both regions hold the secondary's
   * write (the newer token), or the stranded one overwrote it, or they still differ.
   */
  resolution: 'secondary-kept' | 'stranded-write-kept' | 'pending';
}

export interface ReplayedRef extends ItemRef {
  op: 'put' | 'delete';
}

/** The failback reconciliation's result (`$.reconciliation`). */
export interface ReconciliationResult {
  watermark: WatermarkRecord | null;
  failoverAt: string | null;
  /** The journals were read from here (the last verified point, or as far back as they keep). */
  since: string;
  /** Journal entries read in both regions: the cost, bounded by the writes since `since`, not the tables. */
  journalEntries: number;
  /**
   * The DynamoDB requests the reads took: Query pages of the journals, BatchGetItem requests of
   * the stranded items (up to 100 keys each). Both follow the journal entries, never the tables' size.
   */
  requests: { journalQueries: number; itemBatches: number };
  /** Stranded writes: the old primary's, admitted under a state version older than the promotion. */
  candidates: number;
  converged: number;
  replayed: ReplayedRef[];
  /** Comments removed from the secondary because their photo is deleted there (the delete wins). */
  orphansRemoved: ItemRef[];
  /** Replays that lost a race with a concurrent write and became conflicts. */
  raced: number;
  conflicts: ConflictReport[];
  conflictCount: number;
  /** Stranded writes the old primary no longer holds as journalled: listed for a human, never replayed. */
  untraceable: ItemRef[];
  blocked: boolean;
  forced: boolean;
  dryRun: boolean;
}

/** The promotion's result (`$.promotion`). */
export interface PromotionResult {
  from: AppStateName;
  to: AppStateName;
  region: string;
  version: number;
  ungraceful: boolean;
  at: string;
  watermark: WatermarkRecord | null;
  notified: boolean;
}

export interface FailureInfo {
  Error?: string;
  Cause?: string;
}

/** The whole execution document as the ASL accumulates it. */
export interface RunbookDocument {
  run: RunContext;
  plan?: RunbookPlan;
  fence?: FenceResult;
  gate?: GateProgress;
  reconciliation?: ReconciliationResult;
  promotion?: PromotionResult;
  failure?: FailureInfo;
}

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'refused' | 'practice';

export interface ReportStep {
  step: string;
  at: string;
  durationMs: number;
  outcome: string;
  detail: string;
}

export interface RunReport {
  executionId: string;
  executionName: string;
  runbook: RunbookName;
  region: string;
  requestedBy: string;
  reason: string;
  automatic: boolean;
  dryRun: boolean;
  mode: FailoverMode | null;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  steps: ReportStep[];
  verdict: string | null;
  error: { name: string; message: string } | null;
  recovery: RecoveryTimes | null;
  overrides: Refusal[];
  summary: string | null;
}

export interface RecoveryTimes {
  /** When writes stopped being accepted: the fence, or the detection time / run start for an ungraceful failover. */
  writesStoppedAt: string | null;
  /** When the target region became the active one. */
  promotedAt: string | null;
  writeUnavailableMs: number | null;
  /** From the alarm (detectedAt) or the run start to the promotion. */
  recoveryTimeMs: number | null;
  runDurationMs: number;
}

export interface AuditRecord {
  at: string;
  runbook: RunbookName;
  executionId: string;
  requestedBy: string;
  reason: string;
  automatic: boolean;
  from: AppStateName;
  to: AppStateName;
  version: number;
  activeRegion: string;
  /** Region whose replica took the write. */
  writtenIn: string;
  ungraceful: boolean;
  lagSeenMs: number | null;
  overrides: Refusal[];
}

/**
 * What a failback needs to know of a failover promotion, recorded without reading the data
 * tables: which state version took over (writes admitted under an older one were the old
 * primary's) and up to when the old primary's writes were verified in the new active region.
 */
export interface WatermarkRecord {
  promotedAt: string;
  executionId: string;
  mode: FailoverMode;
  /** The version the promotion wrote (null: a record from before versions were recorded). */
  promotedVersion: number | null;
  /**
   * Every write the old primary journalled before this was verified in the new active region:
   * the gate's proof (planned), or the last verified point (ungraceful). Null: none verified.
   */
  verifiedThrough: string | null;
}

/** What the health probe reports about a region, read from that region's own probe record. */
export interface RegionHealth {
  status: 'healthy' | 'unhealthy' | 'unknown';
  checkedAt: string | null;
  healthySince: string | null;
  detail: string;
}

/** App-state table keys of everything the runbooks keep. */
export const recordKeys = {
  lock: (appId: string) => ({ pk: `LOCK#${appId}`, sk: 'RUNBOOK' }),
  auditPartition: (appId: string) => `AUDIT#${appId}`,
  audit: (appId: string, at: string, executionName: string, to: AppStateName) => ({
    pk: `AUDIT#${appId}`,
    sk: `${at}#${executionName}#${to}`,
  }),
  report: (appId: string, executionName: string) => ({ pk: `REPORT#${appId}`, sk: executionName }),
  marker: (appId: string, markerId: string) => ({ pk: `MARKER#${appId}`, sk: markerId }),
  markerPrefix: (appId: string) => `MARKER#${appId}`,
  watermarkPartition: (appId: string) => `WATERMARK#${appId}`,
  watermark: (appId: string, promotedAt: string, executionName: string) => ({
    pk: `WATERMARK#${appId}`,
    sk: `${promotedAt}#${executionName}`,
  }),
  /** Up to when every write journalled in `source` was verified in `target` by a replication gate. */
  verifiedPoint: (appId: string, source: string, target: string) => ({ pk: `VERIFIED#${appId}`, sk: `${source}>${target}` }),
  /** The background verification's proof in progress for the same direction, and its run's lease. */
  verificationRun: (appId: string, source: string, target: string) => ({ pk: `VERIFYING#${appId}`, sk: `${source}>${target}` }),
  /** Written by the health probe of each region into its own replica (see RUNBOOK.md, "Health probe record"). */
  health: healthRecordKey,
} as const;

/** Logical names of the replicated tables the gate and the reconciliation look at. */
export type ReplicatedTable = 'appState' | 'photos' | 'comments';
export const REPLICATED_TABLES: readonly ReplicatedTable[] = ['appState', 'photos', 'comments'];
// The tables holding user data, which carry the write journal: JOURNALLED_TABLES (decisions/journal-verification.ts).

/** The execution name from an execution ARN (…:execution:<machine>:<name>), or the input itself. */
export function executionNameOf(executionId: string): string {
  const parts = executionId.split(':');
  return parts.length >= 8 ? (parts.at(-1) ?? executionId) : executionId;
}
