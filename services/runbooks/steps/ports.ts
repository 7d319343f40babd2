// The narrow ports the runbook steps need. Adapters live in ../adapters and are wired once per
// function in ../wiring.ts; tests wire the same steps to DynamoDB Local and in-memory ports.

// The state's own transition command: the runbooks change the state only through the store's rules.
import type { TransitionCommand } from '../../../shared/app-state/store';
import type { RunbookConfig } from '../config';
import type { Item } from '../decisions/reconciliation';
import type {
  AppStateName,
  AuditRecord,
  RegionHealth,
  ReplicatedTable,
  ReportStep,
  RunReport,
  StateSnapshot,
  WatermarkRecord,
} from '../model';

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

export interface DataTables {
  /** Every item of a table in a region, a page at a time. */
  scan(region: string, table: ReplicatedTable): AsyncIterable<Item[]>;
  get(region: string, table: ReplicatedTable, key: { pk: string; sk: string }): Promise<Item | undefined>;
  /**
   * Writes `item` only if the region still holds `expected` (absent, or with the same timestamp
   * attributes): 'changed' when someone wrote it meanwhile.
   */
  putIfUnchanged(region: string, table: ReplicatedTable, item: Item, expected: Item | undefined): Promise<'written' | 'changed'>;
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
  parameters: RunbookParameters;
  health: RegionHealthProbe;
  heartbeats: Heartbeats;
  notifier: Notifier;
  /** Where a step's unexpected error goes before it is replaced by a named one (the function's log). */
  onUnexpectedError?: (step: string, error: unknown) => void;
}
