import { type AttributeValue, DeleteItemCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { type AttributeMap, fingerprintOf } from './attribute-fingerprint';
import type { ApplyAttempt, ApplyOutcome } from './engine';

/** What a table change carries to the peer: the item's key and its new content (null: removed). */
export interface TablePayload {
  keys: AttributeMap;
  image: AttributeMap | null;
}

/**
 * Writes a replicated change into the peer's copy of the table: PutItem of the new image or
 * DeleteItem, as global tables do. ALL_OLD tells whether the write changed anything: DynamoDB
 * writes no stream record for an identical put or for deleting a missing item, so no echo
 * will come for those.
 */
export async function applyToTable(
  client: DynamoDBClient,
  table: string,
  attempt: ApplyAttempt<TablePayload>,
  signal: AbortSignal,
): Promise<ApplyOutcome> {
  const { payload, fingerprint } = attempt.job.write;
  if (!attempt.expectEcho(fingerprint)) return 'superseded';
  if (payload.image === null) {
    const removed = await client.send(
      new DeleteItemCommand({ TableName: table, Key: payload.keys as Record<string, AttributeValue>, ReturnValues: 'ALL_OLD' }),
      { abortSignal: signal },
    );
    return removed.Attributes ? 'applied-echo-pending' : 'applied-no-echo';
  }
  const replaced = await client.send(
    new PutItemCommand({ TableName: table, Item: payload.image as Record<string, AttributeValue>, ReturnValues: 'ALL_OLD' }),
    { abortSignal: signal },
  );
  const unchanged = replaced.Attributes !== undefined && fingerprintOf(replaced.Attributes as AttributeMap) === fingerprint;
  return unchanged ? 'applied-no-echo' : 'applied-echo-pending';
}
