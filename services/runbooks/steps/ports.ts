// The narrow ports the runbook steps need. Adapters live in ../adapters and are wired once per
// function in ../wiring.ts; tests wire the same steps to DynamoDB Local and in-memory ports.

// The state's own transition command: the runbooks change the state only through the store's rules.
import type { TransitionCommand } from '../../../shared/app-state/store';
import type { ItemKey, JournalEntry, WriteStamp } from '../../../shared/write-journal/model';
import type { RunbookConfig } from '../config';
import type { DataTable, HeldVersion, JournalProgress } from '../decisions/journal-verification';
import type { Item } from '../decisions/reconciliation';
import type { AuditRecord, RegionHealth, ReplicatedTable, ReportStep, RunReport, StateSnapshot, WatermarkRecord } from '../model';

export type { TransitionCommand };

/** The application state in ONE region's replica. */
export interface RegionalState {
  get(): Promise<StateSnapshot>;
  /** Conditional write on expected state AND version; throws TransitionRejected when it lost. */
  transition(command: TransitionCommand): Promise<StateSnapshot>;
  /** Keeps writes closed in the promoted region until `until` (never earlier), while the state is still at `version`. */
  holdWritesUntil(version: number, until: Date): Promise<StateSnapshot>;
}

export interface LockHolder {
  executionId: string;
  runbook: string;
  requestedBy: string;
  acquiredAt: string;
  expiresAt: number;
}

export interface RunbookLock {
  /** Conditional put: succeeds when there is no lock or the one there has expired. */
  acquire(holder: LockHolder, nowSeconds: number): Promise<{ acquired: true } | { acquired: false; holder: LockHolder | null }>;
  peek(nowSeconds: number): Promise<LockHolder | null>;
  /** Deletes the lock only if `executionId` holds it. */
  release(executionId: string): Promise<boolean>;
  /** Extends the lease to `expiresAt` (epoch seconds) only if `executionId` still holds it. */
  renew(executionId: string, expiresAt: number): Promise<boolean>;
}

export interface AuditLog {
  record(entry: AuditRecord): Promise<void>;
  /** Time of the newest audit record of a transition made by an automatic failover. */
  lastAutomaticFailoverAt(): Promise<string | null>;
}

export interface ReportStore {
  begin(report: RunReport): Promise<void>;
  appendStep(executionName: string, step: ReportStep): Promise<void>;
  finish(
    executionName: string,
    patch: Pick<RunReport, 'status' | 'finishedAt' | 'verdict' | 'error' | 'recovery' | 'summary' | 'overrides'>,
  ): Promise<void>;
  get(executionName: string): Promise<RunReport | null>;
}

export interface WatermarkStore {
  /** In this region's replica (the region just promoted). */
  save(watermark: WatermarkRecord, executionName: string): Promise<void>;
  /** The newest watermark in `region`'s replica (default: this region). */
  latest(region?: string): Promise<WatermarkRecord | null>;
}

/** Replication-gate markers: one small item per replicated table, in one region. */
export interface MarkerTables {
  write(region: string, markerId: string, writtenAt: string): Promise<void>;
  visible(region: string, markerId: string): Promise<Record<ReplicatedTable, boolean>>;
  remove(region: string, markerId: string): Promise<void>;
}

export interface VerifiedPoints {
  /** Up to when a gate verified every write of `source` in `target` (this region's replica), or null. */
  latestVerified(source: string, target: string): Promise<string | null>;
  /** Moves the point forward (never back). */
  recordVerified(source: string, target: string, through: string, executionName: string): Promise<void>;
}

/** What the background verification keeps between runs, per direction. */
export interface SavedVerification {
  /** The proof in progress (null: none). */
  progress: JournalProgress | null;
  /** The end of the last proof it recorded as the verified point (null: none). */
  recordedThrough: string | null;
}

/**
 * The background verification's proof in progress, per direction, beside the verified point in
 * this region's replica (steps/background-verify.ts). A claim is a lease: one run at a time works
 * on a proof, and a run that died lets the next one in once its lease has passed.
 */
export interface VerificationRuns {
  /** Takes the proof until `leaseUntil` (epoch ms) unless another run holds it at `now`. */
  claim(
    source: string,
    target: string,
    runId: string,
    now: number,
    leaseUntil: number,
  ): Promise<({ claimed: true } & SavedVerification) | { claimed: false }>;
  /** What is saved, without claiming it (a dry run). */
  peek(source: string, target: string): Promise<SavedVerification>;
  /**
   * Saves the proof (null: clears it) and, when it was recorded, where it ended; lets go of the
   * claim. Only while `runId` holds it: false when it did not.
   */
  release(
    source: string,
    target: string,
    runId: string,
    save: { progress: JournalProgress | null; recordedThrough?: string },
  ): Promise<boolean>;
}

export interface JournalPage {
  entries: Array<{ sk: string; entry: JournalEntry }>;
  /** The partition has more entries after the last one returned. */
  more: boolean;
}

/** The write journal and what a region holds of the journalled items (shared/write-journal/model.ts). */
export interface WriteJournalTables {
  /** Entries of one journal partition after `afterSk`, in order, at most `limit` (consistent read). */
  readJournal(region: string, table: DataTable, bucket: string, afterSk: string | null, limit: number): Promise<JournalPage>;
  /** Per key, in the same order: the writeId of the region's item and of its tombstone (consistent reads). */
  heldVersions(region: string, table: DataTable, keys: ItemKey[]): Promise<HeldVersion[]>;
}

/** This region's photo bucket, as the gate checks it. */
export interface PhotoObjects {
  /** The object's ETag, null when there is none. */
  etagOf(key: string): Promise<string | null>;
}

/** Items read by key, in the order asked for (undefined: absent), and the requests it took. */
export interface ItemsRead {
  items: Array<Item | undefined>;
  /** DynamoDB requests made (BatchGetItem: up to 100 keys each, plus any retry of unprocessed keys). */
  requests: number;
}

/** Reads and reconciliation writes of the data tables; never a scan. */
export interface DataTables {
  /** Whole items of one table of a region by key, strongly consistent, in batches (not one request per key). */
  getMany(region: string, table: DataTable, keys: ItemKey[]): Promise<ItemsRead>;
  /** Keys of one partition (a photo's comments), a page at a time. */
  partitionKeys(region: string, table: DataTable, pk: string): Promise<ItemKey[]>;
  /**
   * Writes `item` (with its own stamp) and a journal entry, only if the region's copy still
   * carries `expectedWriteId` (null: absent, and no tombstone): 'changed' when it does not.
   */
  replayPut(
    region: string,
    table: DataTable,
    item: Item,
    expectedWriteId: string | null,
    stamp: WriteStamp,
  ): Promise<'written' | 'changed'>;
  /**
   * Deletes the item, leaving its tombstone and a journal entry, only if the region's copy still
   * carries `expectedWriteId` ('any': whatever it holds, or nothing).
   */
  replayDelete(
    region: string,
    table: DataTable,
    key: ItemKey,
    expectedWriteId: string | 'any',
    stamp: WriteStamp,
  ): Promise<'written' | 'changed'>;
}

export interface RunbookParameters {
  /** /switchyard/<stage>/auto-failover, or null when missing or unreadable. */
  autoFailover(): Promise<string | null>;
  /** /switchyard/<stage>/max-replication-lag-seconds, or null when missing, unreadable or not a positive number. */
  maxReplicationLagSeconds(): Promise<number | null>;
}

/** A region's health by its own probe (RUNBOOK.md, "Health probe record"). */
export interface RegionHealthProbe {
  healthOf(region: string): Promise<RegionHealth>;
}

/** The probes' heartbeats in the quorum store (shared/health/heartbeat.ts). */
export interface Heartbeats {
  /** When `region`'s probe last renewed its heartbeat, by a strongly consistent read; null if never. */
  lastBeat(region: string): Promise<string | null>;
}

/** The regions' lease records in the quorum store (shared/app-state/lease-record.ts). */
export interface LeaseStarts {
  /** The newest lease start `region`'s gates recorded (epoch ms), by a strongly consistent read; null if none. */
  latest(region: string): Promise<number | null>;
}

export interface Notifier {
  /** Best effort: false when nothing was published (no topic configured, or SNS failed). */
  publish(subject: string, message: Record<string, unknown>): Promise<boolean>;
}

export interface RunbookDeps {
  config: RunbookConfig;
  clock: () => Date;
  stateIn(region: string): RegionalState;
  /** Short timeouts, no SDK retries: for a region that may be gone (ungraceful failover). */
  stateInBestEffort(region: string): RegionalState;
  /**
   * For the promotion's write: abandoned after `config.stateWriteTimeoutMs`, which bounds when it
   * can have committed (docs/fencing.md). Every other step may wait longer on a slow quorum.
   */
  stateForPromotion(region: string): RegionalState;
  lock: RunbookLock;
  audit: AuditLog;
  reports: ReportStore;
  watermarks: WatermarkStore;
  markers: MarkerTables;
  data: DataTables;
  journal: WriteJournalTables;
  /** Null when the function has no photo bucket configured: journalled objects are then reported unverifiable. */
  objects: PhotoObjects | null;
  verifiedPoints: VerifiedPoints;
  verificationRuns: VerificationRuns;
  parameters: RunbookParameters;
  health: RegionHealthProbe;
  heartbeats: Heartbeats;
  leases: LeaseStarts;
  notifier: Notifier;
  /** Where a step's unexpected error goes before it is replaced by a named one (the function's log). */
  onUnexpectedError?: (step: string, error: unknown) => void;
}
