import { callDynamoWire, DYNAMODB_TARGET } from '../dynamodb-wire';
import { type AttributeMap, fingerprintOf } from './attribute-fingerprint';
import type { ApplyAttempt, ApplyOutcome } from './engine';

/** A cut or dead region must not hang a delivery: the engine's own retry loop takes over. */
const WRITE_TIMEOUT_MS = 5_000;

/** What a table change carries to the peer: the item's key and its new content (null: removed). */
export interface TablePayload {
  keys: AttributeMap;
  image: AttributeMap | null;
}

/**
 * Writes a replicated change into the peer's copy of the table: PutItem of the new image or
 * DeleteItem, as global tables do. ALL_OLD tells whether the write changed anything: DynamoDB
 * writes no stream record for an identical put or for deleting a missing item, so no echo
 * will come for those. Raw calls in wire form (../dynamodb-wire.ts): the replicator runs on the
 * runtime's main thread, where the SDK's per-call work was most of its cost.
 */
export async function applyToTable(
  endpoint: string,
  table: string,
  attempt: ApplyAttempt<TablePayload>,
  signal: AbortSignal,
): Promise<ApplyOutcome> {
  const { payload, fingerprint } = attempt.job.write;
  if (!attempt.expectEcho(fingerprint)) return 'superseded';
  const options = { signal, timeoutMs: WRITE_TIMEOUT_MS };
  if (payload.image === null) {
    const removed = await callDynamoWire<{ Attributes?: AttributeMap }>(
      endpoint,
      DYNAMODB_TARGET,
      'DeleteItem',
      { TableName: table, Key: payload.keys, ReturnValues: 'ALL_OLD' },
      options,
    );
    return removed.Attributes ? 'applied-echo-pending' : 'applied-no-echo';
  }
  const replaced = await callDynamoWire<{ Attributes?: AttributeMap }>(
    endpoint,
    DYNAMODB_TARGET,
    'PutItem',
    { TableName: table, Item: payload.image, ReturnValues: 'ALL_OLD' },
    options,
  );
  const unchanged = replaced.Attributes !== undefined && fingerprintOf(replaced.Attributes) === fingerprint;
  return unchanged ? 'applied-no-echo' : 'applied-echo-pending';
}
