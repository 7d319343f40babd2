// Reads and writes of the replicated tables in either region (markers for the replication gate,
// scans/gets/conditional puts for the watermark and the reconciliation). `clientFor(region)`
// returns a document client for that region's endpoint (see ../wiring.ts).
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ITEM_TIME_ATTRIBUTES, type Item } from '../decisions/reconciliation';
import { REPLICATED_TABLES, type ReplicatedTable, recordKeys } from '../model';
import type { DataTables, MarkerTables } from '../steps/ports';

/**
 * The gate removes its markers when a round ends. If a run dies first, the app-state table's TTL
 * expires its marker; the photo/comment tables have no TTL, but their markers are invisible to
 * the application (no index attributes) and skipped by the reconciliation.
 */
const MARKER_TTL_SECONDS = 86_400;

export class DynamoRegionalTables implements MarkerTables, DataTables {
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

  async *scan(region: string, table: ReplicatedTable): AsyncIterable<Item[]> {
    const client = this.clientFor(region);
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({ TableName: this.tables[table], ConsistentRead: true, ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
      );
      yield page.Items ?? [];
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  async get(region: string, table: ReplicatedTable, key: { pk: string; sk: string }): Promise<Item | undefined> {
    const { Item } = await this.clientFor(region).send(new GetCommand({ TableName: this.tables[table], Key: key, ConsistentRead: true }));
    return Item;
  }

  async putIfUnchanged(region: string, table: ReplicatedTable, item: Item, expected: Item | undefined): Promise<'written' | 'changed'> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    let condition: string;
    if (expected === undefined) {
      condition = 'attribute_not_exists(pk)';
    } else {
      // Same timestamps as when compared: nobody wrote the item since.
      condition = ITEM_TIME_ATTRIBUTES.map((attribute, i) => {
        names[`#t${i}`] = attribute;
        if (expected[attribute] === undefined) return `attribute_not_exists(#t${i})`;
        values[`:t${i}`] = expected[attribute];
        return `#t${i} = :t${i}`;
      }).join(' AND ');
      condition = `attribute_exists(pk) AND ${condition}`;
    }
    try {
      await this.clientFor(region).send(
        new PutCommand({
          TableName: this.tables[table],
          Item: item,
          ConditionExpression: condition,
          ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
          ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
        }),
      );
      return 'written';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'changed';
      throw error;
    }
  }
}
