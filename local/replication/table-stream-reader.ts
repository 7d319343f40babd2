import { callDynamoWire, DYNAMODB_TARGET, DynamoWireError, STREAMS_TARGET, type WireCallOptions } from '../dynamodb-wire';
import type { AttributeMap } from './attribute-fingerprint';

type ShardIteratorType = 'TRIM_HORIZON' | 'LATEST' | 'AFTER_SEQUENCE_NUMBER';

/** The parts of the DynamoDB Streams answers read here, in wire form. */
interface WireRecord {
  eventName?: string;
  dynamodb?: { Keys?: AttributeMap; NewImage?: AttributeMap; SequenceNumber?: string; ApproximateCreationDateTime?: number };
}
interface WireShard {
  ShardId?: string;
  ParentShardId?: string;
  SequenceNumberRange?: { EndingSequenceNumber?: string };
}

/** A cut or dead region must not hang a poll (the replicator polls again). */
const CALL_TIMEOUT_MS = 5_000;

const isError = (error: unknown, code: string) => error instanceof DynamoWireError && error.code === code;

/** One item-level change, in the order the table's stream holds it. */
export interface TableChange {
  kind: 'put' | 'remove';
  keys: AttributeMap;
  /** Absent for removals. */
  newImage?: AttributeMap;
  approximateCreationTime?: Date;
}

export interface TablePoll {
  changes: TableChange[];
  /** Every readable shard was read to its current end. */
  caughtUp: boolean;
  /** A shard could not be read; `changes` still holds what other shards gave, which must not be lost. */
  failure?: unknown;
}

interface ShardState {
  id: string;
  parentId?: string;
  iterator?: string;
  position: ShardIteratorType;
  lastSequenceNumber?: string;
  exhausted: boolean;
}

const MAX_RECORDS = 1000;

/**
 * Tails one table's DynamoDB stream the way a global-tables replica does: DescribeStream for
 * shards, GetShardIterator, then GetRecords following NextShardIterator. A stream that already
 * exists when reading starts is read from its end (LATEST), so history is not replayed; shards
 * and streams that appear later are read from their start (TRIM_HORIZON). A child shard is
 * read only once its parent is exhausted, which keeps per-item order.
 */
export class TableStreamReader {
  private streamArn: string | undefined;
  private shards = new Map<string, ShardState>();
  private lastRefreshAt = Number.NEGATIVE_INFINITY;
  private refreshNeeded = true;

  constructor(
    private readonly deps: {
      /** The region's DynamoDB Local, called in wire form (../dynamodb-wire.ts): the SDK's per-call work was most of the replicator's cost on the main thread. */
      endpoint: string;
      table: string;
      /**
       * How often to look for new shards or a re-created stream (default 5 s). A shard that
       * closes is noticed at once (its iterator ends), so this only bounds how late a stream
       * re-created under the same table, or a split, is found; polling DescribeStream every
       * second for 8 tails was a tenth of the idle runtime's work.
       */
      refreshMs?: number;
    },
  ) {}

  private call<T>(
    service: typeof DYNAMODB_TARGET | typeof STREAMS_TARGET,
    operation: string,
    body: unknown,
    signal: AbortSignal,
  ): Promise<T> {
    const options: WireCallOptions = { signal, timeoutMs: CALL_TIMEOUT_MS };
    return callDynamoWire<T>(this.deps.endpoint, service, operation, body, options);
  }

  get table(): string {
    return this.deps.table;
  }

  /** Positions every open shard of the current stream at its end; changes made after this resolves are read. */
  async start(signal: AbortSignal): Promise<void> {
    await this.refresh(signal, 'LATEST');
    for (const shard of this.shards.values()) {
      if (!shard.exhausted && !shard.iterator) shard.iterator = await this.iteratorFor(shard, signal);
    }
  }

  async poll(signal: AbortSignal, now = Date.now()): Promise<TablePoll> {
    if (this.refreshNeeded || now - this.lastRefreshAt >= (this.deps.refreshMs ?? 5000)) await this.refresh(signal, 'TRIM_HORIZON');
    const changes: TableChange[] = [];
    let caughtUp = true;
    for (const shard of this.shards.values()) {
      if (shard.exhausted) continue;
      const parent = shard.parentId === undefined ? undefined : this.shards.get(shard.parentId);
      if (parent && !parent.exhausted) continue;
      try {
        const read = await this.readShard(shard, signal);
        changes.push(...read.changes);
        if (!read.caughtUp) caughtUp = false;
      } catch (failure) {
        return { changes, caughtUp: false, failure };
      }
    }
    return { changes, caughtUp };
  }

  private async readShard(shard: ShardState, signal: AbortSignal): Promise<{ changes: TableChange[]; caughtUp: boolean }> {
    try {
      shard.iterator ??= await this.iteratorFor(shard, signal);
      const page = await this.call<{ Records?: WireRecord[]; NextShardIterator?: string }>(
        STREAMS_TARGET,
        'GetRecords',
        { ShardIterator: shard.iterator, Limit: MAX_RECORDS },
        signal,
      );
      const records = page.Records ?? [];
      const changes: TableChange[] = [];
      for (const record of records) {
        const data = record.dynamodb;
        if (data?.SequenceNumber) shard.lastSequenceNumber = data.SequenceNumber;
        if (!data?.Keys) continue;
        const keys = data.Keys;
        // Epoch seconds on the wire (the SDK makes a Date of it).
        const at = data.ApproximateCreationDateTime === undefined ? undefined : new Date(data.ApproximateCreationDateTime * 1000);
        if (record.eventName === 'REMOVE') {
          changes.push({ kind: 'remove', keys, ...(at ? { approximateCreationTime: at } : {}) });
        } else if (data.NewImage) {
          changes.push({ kind: 'put', keys, newImage: data.NewImage, ...(at ? { approximateCreationTime: at } : {}) });
        }
      }
      shard.iterator = page.NextShardIterator;
      if (!shard.iterator) {
        // A closed shard read to its end: its children (found on refresh) take over.
        shard.exhausted = true;
        this.refreshNeeded = true;
      }
      return { changes, caughtUp: records.length < MAX_RECORDS };
    } catch (error) {
      if (isError(error, 'ExpiredIteratorException')) {
        // Iterators live 15 minutes; resume right after the last record read (a shard with
        // none read yet keeps its starting position).
        shard.iterator = undefined;
        if (shard.lastSequenceNumber) shard.position = 'AFTER_SEQUENCE_NUMBER';
        return { changes: [], caughtUp: false };
      }
      if (isError(error, 'TrimmedDataAccessException')) {
        shard.iterator = undefined;
        shard.position = 'TRIM_HORIZON';
        shard.lastSequenceNumber = undefined;
        return { changes: [], caughtUp: false };
      }
      if (isError(error, 'ResourceNotFoundException')) {
        this.refreshNeeded = true;
        return { changes: [], caughtUp: false };
      }
      throw error;
    }
  }

  private async iteratorFor(shard: ShardState, signal: AbortSignal): Promise<string> {
    const after = shard.position === 'AFTER_SEQUENCE_NUMBER';
    const response = await this.call<{ ShardIterator?: string }>(
      STREAMS_TARGET,
      'GetShardIterator',
      {
        StreamArn: this.streamArn,
        ShardId: shard.id,
        ShardIteratorType: shard.position,
        ...(after ? { SequenceNumber: shard.lastSequenceNumber } : {}),
      },
      signal,
    );
    if (!response.ShardIterator) throw new Error(`No shard iterator for ${shard.id} of table ${this.deps.table}`);
    return response.ShardIterator;
  }

  /** `newShards`: where to start shards not seen before; only start() reads an existing stream from its end. */
  private async refresh(signal: AbortSignal, newShards: 'LATEST' | 'TRIM_HORIZON'): Promise<void> {
    let arn: string | undefined;
    try {
      const described = await this.call<{ Table?: { StreamSpecification?: { StreamEnabled?: boolean }; LatestStreamArn?: string } }>(
        DYNAMODB_TARGET,
        'DescribeTable',
        { TableName: this.deps.table },
        signal,
      );
      arn = described.Table?.StreamSpecification?.StreamEnabled ? described.Table.LatestStreamArn : undefined;
    } catch (error) {
      if (!isError(error, 'ResourceNotFoundException')) throw error;
    }
    this.lastRefreshAt = Date.now();
    if (arn !== this.streamArn) {
      // A table created (or re-created) after reading started: all of its stream is new.
      this.streamArn = arn;
      this.shards = new Map();
    }
    if (arn === undefined) {
      this.refreshNeeded = false;
      return;
    }
    const fresh = this.shards.size === 0 ? newShards : 'TRIM_HORIZON';
    let exclusiveStart: string | undefined;
    do {
      const page = await this.call<{ StreamDescription?: { Shards?: WireShard[]; LastEvaluatedShardId?: string } }>(
        STREAMS_TARGET,
        'DescribeStream',
        { StreamArn: arn, ...(exclusiveStart ? { ExclusiveStartShardId: exclusiveStart } : {}) },
        signal,
      );
      for (const shard of page.StreamDescription?.Shards ?? []) {
        if (!shard.ShardId || this.shards.has(shard.ShardId)) continue;
        const closed = shard.SequenceNumberRange?.EndingSequenceNumber !== undefined;
        this.shards.set(shard.ShardId, {
          id: shard.ShardId,
          ...(shard.ParentShardId ? { parentId: shard.ParentShardId } : {}),
          position: fresh,
          // History that was complete before reading started is not replayed.
          exhausted: fresh === 'LATEST' && closed,
        });
      }
      exclusiveStart = page.StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStart);
    this.refreshNeeded = false;
  }
}
