// Reads and writes of the replicated tables in either region (markers for the replication gate,
// the write journal, gets and conditional replays for the reconciliation; never a scan). `clientFor(region)`
// returns a document client for that region's endpoint (see ../wiring.ts).
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type ItemKey,
  journalEntryOf,
  journalRecord,
  tombstoneKey,
  tombstoneRecord,
  type WriteStamp,
} from '../../../shared/write-journal/model';
import type { DataTable, HeldVersion } from '../decisions/journal-verification';
import type { Item } from '../decisions/reconciliation';
import { REPLICATED_TABLES, type ReplicatedTable, recordKeys } from '../model';
import type { DataTables, ItemsRead, JournalPage, MarkerTables, WriteJournalTables } from '../steps/ports';

/** BatchGetItem takes at most 100 keys; an item and its tombstone are two. */
const BATCH_GET_ITEMS = 50;
/**
 * "A single operation can retrieve up to 16 MB of data, which can contain as many as 100 items"; a
 * partial answer lists the rest in UnprocessedKeys, to be asked for again with exponential backoff
 * (Amazon DynamoDB API Reference, BatchGetItem: API_BatchGetItem.html).
 */
const BATCH_GET_MAX_KEYS = 100;
/** Batches of one read in flight at once. */
const BATCH_GET_CONCURRENCY = 4;
const MAX_BATCH_ATTEMPTS = 6;

/**
 * The gate removes its markers when a round ends. If a run dies first, the app-state table's TTL
 * expires its marker; the photo/comment tables have no TTL, but their markers are invisible to
 * the application (no index attributes) and skipped by the reconciliation.
 */
const MARKER_TTL_SECONDS = 86_400;

export class DynamoRegionalTables implements MarkerTables, DataTables, WriteJournalTables {
  constructor(
    private readonly clientFor: (region: string) => DynamoDBDocumentClient,
    private readonly tables: Record<ReplicatedTable, string>,
    private readonly appId: string,
  ) {}

  async write(region: string, markerId: string, writtenAt: string): Promise<void> {
    const client = this.clientFor(region);
    const expiresAt = Math.floor(Date.parse(writtenAt) / 1000) + MARKER_TTL_SECONDS;
    await Promise.all(
      REPLICATED_TABLES.map((table) =>
        client.send(
          new PutCommand({
            TableName: this.tables[table],
            Item: { ...recordKeys.marker(this.appId, markerId), writtenAt, writtenIn: region, expiresAt },
          }),
        ),
      ),
    );
  }

  async visible(region: string, markerId: string): Promise<Record<ReplicatedTable, boolean>> {
    const client = this.clientFor(region);
    const found = await Promise.all(
      REPLICATED_TABLES.map(async (table) => {
        const { Item } = await client.send(
          new GetCommand({
            TableName: this.tables[table],
            Key: recordKeys.marker(this.appId, markerId),
            ConsistentRead: true,
            ProjectionExpression: 'pk',
          }),
        );
        return [table, Item !== undefined] as const;
      }),
    );
    return Object.fromEntries(found) as Record<ReplicatedTable, boolean>;
  }

  async remove(region: string, markerId: string): Promise<void> {
    const client = this.clientFor(region);
    await Promise.all(
      REPLICATED_TABLES.map((table) =>
        client.send(new DeleteCommand({ TableName: this.tables[table], Key: recordKeys.marker(this.appId, markerId) })),
      ),
    );
  }

  async readJournal(region: string, table: DataTable, bucket: string, afterSk: string | null, limit: number): Promise<JournalPage> {
    const page = await this.clientFor(region).send(
      new QueryCommand({
        TableName: this.tables[table],
        KeyConditionExpression: afterSk === null ? 'pk = :pk' : 'pk = :pk AND sk > :after',
        ExpressionAttributeValues: { ':pk': bucket, ...(afterSk === null ? {} : { ':after': afterSk }) },
        ConsistentRead: true,
        Limit: limit,
      }),
    );
    return {
      entries: (page.Items ?? []).map((item) => ({ sk: String(item.sk), entry: journalEntryOf(item) })),
      more: page.LastEvaluatedKey !== undefined,
    };
  }

  async heldVersions(region: string, table: DataTable, keys: ItemKey[]): Promise<HeldVersion[]> {
    const found = new Map<string, string | null>();
    const id = (key: ItemKey) => `${key.pk}\u0000${key.sk}`;
    for (let i = 0; i < keys.length; i += BATCH_GET_ITEMS) {
      const chunk = keys.slice(i, i + BATCH_GET_ITEMS);
      const unique = new Map(chunk.flatMap((key) => [key, tombstoneKey(key)]).map((key) => [id(key), key]));
      let pending: ItemKey[] = [...unique.values()];
      for (let attempt = 1; pending.length > 0; attempt += 1) {
        if (attempt > MAX_BATCH_ATTEMPTS) throw new Error(`BatchGetItem kept leaving keys unprocessed in ${region}`);
        if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
        const name = this.tables[table];
        const answer = await this.clientFor(region).send(
          new BatchGetCommand({
            RequestItems: { [name]: { Keys: pending, ConsistentRead: true, ProjectionExpression: 'pk, sk, writeId' } },
          }),
        );
        for (const item of answer.Responses?.[name] ?? [])
          found.set(id(item as ItemKey), typeof item.writeId === 'string' ? item.writeId : '');
        pending = (answer.UnprocessedKeys?.[name]?.Keys ?? []) as ItemKey[];
      }
    }
    // An item without a writeId (written before items were stamped) still exists: '' sorts before every write.
    return keys.map((key) => ({
      itemWriteId: found.has(id(key)) ? (found.get(id(key)) ?? '') : null,
      tombstoneWriteId: found.has(id(tombstoneKey(key))) ? (found.get(id(tombstoneKey(key))) ?? '') : null,
    }));
  }

  async getMany(region: string, table: DataTable, keys: ItemKey[]): Promise<ItemsRead> {
    const found = new Map<string, Item>();
    const id = (key: ItemKey) => `${key.pk}\u0000${key.sk}`;
    // BatchGetItem refuses a request that names a key twice: each key is asked for once.
    const unique = [...new Map(keys.map((key) => [id(key), { pk: key.pk, sk: key.sk }])).values()];
    const chunks: ItemKey[][] = [];
    for (let i = 0; i < unique.length; i += BATCH_GET_MAX_KEYS) chunks.push(unique.slice(i, i + BATCH_GET_MAX_KEYS));
    const name = this.tables[table];
    let requests = 0;
    const readChunk = async (chunk: ItemKey[]) => {
      let pending = chunk;
      for (let attempt = 1; pending.length > 0; attempt += 1) {
        if (attempt > MAX_BATCH_ATTEMPTS) throw new Error(`BatchGetItem kept leaving keys unprocessed in ${region}`);
        if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
        requests += 1;
        const answer = await this.clientFor(region).send(
          new BatchGetCommand({ RequestItems: { [name]: { Keys: pending, ConsistentRead: true } } }),
        );
        for (const item of answer.Responses?.[name] ?? []) found.set(id(item as ItemKey), item);
        pending = (answer.UnprocessedKeys?.[name]?.Keys ?? []) as ItemKey[];
      }
    };
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < chunks.length; i = next++) await readChunk(chunks[i] as ItemKey[]);
    };
    await Promise.all(Array.from({ length: Math.min(BATCH_GET_CONCURRENCY, chunks.length) }, worker));
    return { items: keys.map((key) => found.get(id(key))), requests };
  }

  async partitionKeys(region: string, table: DataTable, pk: string): Promise<ItemKey[]> {
    const keys: ItemKey[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.clientFor(region).send(
        new QueryCommand({
          TableName: this.tables[table],
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ProjectionExpression: 'pk, sk',
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      keys.push(...(page.Items ?? []).map((item) => ({ pk: String(item.pk), sk: String(item.sk) })));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return keys;
  }

  async replayPut(
    region: string,
    table: DataTable,
    item: Item,
    expectedWriteId: string | null,
    stamp: WriteStamp,
  ): Promise<'written' | 'changed'> {
    const key = { pk: String(item.pk), sk: String(item.sk) };
    const name = this.tables[table];
    const unchanged =
      expectedWriteId === null
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : expectedWriteId === ''
          ? { ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(writeId)' }
          : { ConditionExpression: 'writeId = :expected', ExpressionAttributeValues: { ':expected': expectedWriteId } };
    return this.transact(region, [
      { Put: { TableName: name, Item: item, ...unchanged } },
      // Absent is not "never written": a tombstone means deleted, and a replay never undoes a delete.
      ...(expectedWriteId === null
        ? [{ ConditionCheck: { TableName: name, Key: tombstoneKey(key), ConditionExpression: 'attribute_not_exists(pk)' } }]
        : []),
      { Put: { TableName: name, Item: journalRecord(stamp, key, 'put') } },
    ]);
  }

  async replayDelete(
    region: string,
    table: DataTable,
    key: ItemKey,
    expectedWriteId: string | 'any',
    stamp: WriteStamp,
  ): Promise<'written' | 'changed'> {
    const name = this.tables[table];
    const condition =
      expectedWriteId === 'any'
        ? {}
        : expectedWriteId === ''
          ? { ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(writeId)' }
          : { ConditionExpression: 'writeId = :expected', ExpressionAttributeValues: { ':expected': expectedWriteId } };
    return this.transact(region, [
      { Delete: { TableName: name, Key: key, ...condition } },
      { Put: { TableName: name, Item: tombstoneRecord(stamp, key) } },
      { Put: { TableName: name, Item: journalRecord(stamp, key, 'delete') } },
    ]);
  }

  /** One transaction: 'changed' when a condition no longer held (someone wrote the item meanwhile). */
  private async transact(
    region: string,
    items: NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>,
  ): Promise<'written' | 'changed'> {
    try {
      await this.clientFor(region).send(new TransactWriteCommand({ TransactItems: items }));
      return 'written';
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.some((r) => r.Code === 'ConditionalCheckFailed')) {
        return 'changed';
      }
      throw error;
    }
  }
}
