import { DescribeTableCommand, type DynamoDBClient, ResourceNotFoundException as TableNotFound } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type ShardIteratorType,
  ResourceNotFoundException as StreamNotFound,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import type { AttributeMap } from './attribute-fingerprint';

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
      dynamodb: DynamoDBClient;
      streams: DynamoDBStreamsClient;
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
      const page = await this.deps.streams.send(new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: MAX_RECORDS }), {
        abortSignal: signal,
      });
      const records = page.Records ?? [];
      const changes: TableChange[] = [];
      for (const record of records) {
        const data = record.dynamodb;
        if (data?.SequenceNumber) shard.lastSequenceNumber = data.SequenceNumber;
        if (!data?.Keys) continue;
        const keys = data.Keys as AttributeMap;
        const at = data.ApproximateCreationDateTime;
        if (record.eventName === 'REMOVE') {
          changes.push({ kind: 'remove', keys, ...(at ? { approximateCreationTime: at } : {}) });
        } else if (data.NewImage) {
          changes.push({ kind: 'put', keys, newImage: data.NewImage as AttributeMap, ...(at ? { approximateCreationTime: at } : {}) });
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
      if (error instanceof ExpiredIteratorException) {
        // Iterators live 15 minutes; resume right after the last record read (a shard with
        // none read yet keeps its starting position).
        shard.iterator = undefined;
        if (shard.lastSequenceNumber) shard.position = 'AFTER_SEQUENCE_NUMBER';
        return { changes: [], caughtUp: false };
      }
      if (error instanceof TrimmedDataAccessException) {
        shard.iterator = undefined;
        shard.position = 'TRIM_HORIZON';
        shard.lastSequenceNumber = undefined;
        return { changes: [], caughtUp: false };
      }
      if (error instanceof StreamNotFound) {
        this.refreshNeeded = true;
        return { changes: [], caughtUp: false };
      }
      throw error;
    }
  }

  private async iteratorFor(shard: ShardState, signal: AbortSignal): Promise<string> {
    const after = shard.position === 'AFTER_SEQUENCE_NUMBER';
    const response = await this.deps.streams.send(
      new GetShardIteratorCommand({
        StreamArn: this.streamArn,
        ShardId: shard.id,
        ShardIteratorType: shard.position,
        ...(after ? { SequenceNumber: shard.lastSequenceNumber } : {}),
      }),
      { abortSignal: signal },
    );
    if (!response.ShardIterator) throw new Error(`No shard iterator for ${shard.id} of table ${this.deps.table}`);
    return response.ShardIterator;
  }

  /** `newShards`: where to start shards not seen before; only start() reads an existing stream from its end. */
  private async refresh(signal: AbortSignal, newShards: 'LATEST' | 'TRIM_HORIZON'): Promise<void> {
    let arn: string | undefined;
    try {
      const described = await this.deps.dynamodb.send(new DescribeTableCommand({ TableName: this.deps.table }), { abortSignal: signal });
      arn = described.Table?.StreamSpecification?.StreamEnabled ? described.Table.LatestStreamArn : undefined;
    } catch (error) {
      if (!(error instanceof TableNotFound)) throw error;
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
      const page = await this.deps.streams.send(
        new DescribeStreamCommand({ StreamArn: arn, ...(exclusiveStart ? { ExclusiveStartShardId: exclusiveStart } : {}) }),
        { abortSignal: signal },
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
