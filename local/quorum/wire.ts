// The DynamoDB JSON protocol (awsJson1_0) as far as the quorum door needs it: error answers in
// the shape the AWS SDK parses (`__type` + `message`, HTTP status), and raw calls to DynamoDB
// Local that keep attribute values in their wire form (binary stays base64), so the door never
// re-encodes an item.
//
// Error format: DynamoDB developer guide, "Error handling with DynamoDB" › "Error components"
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html):
// an HTTP status, an exception name in `__type` ("com.amazonaws.dynamodb.v20120810#…"), a message.

import { callDynamoWire, DYNAMODB_TARGET, postDynamo, type WireAnswer } from '../dynamodb-wire';

export type { WireAnswer };

export const TARGET_PREFIX = `${DYNAMODB_TARGET}.`;
export { JSON_CONTENT_TYPE } from '../dynamodb-wire';

export type AttributeValue = Record<string, unknown>;
export type WireItem = Record<string, AttributeValue>;

/**
 * The error names the door itself answers with. `ServiceUnavailable` for a region cut off from
 * the majority is an ASSUMPTION: AWS documents only that such a region's writes and strongly
 * consistent reads "return errors" (bp-global-table-design.html, "Key facts about MRSC"); the
 * closest documented DynamoDB error is Service Unavailable, HTTP 503, "DynamoDB is currently
 * unavailable. (This should be a temporary state.)", OK to retry (Programming.Errors.html, "5xx").
 */
export const ERRORS = {
  isolated: { type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailable', status: 503 },
  // "The request was rejected because one or more items in the request are being modified by a
  // request in another Region." (API reference, ReplicatedWriteConflictException; client fault, retryable)
  replicatedWriteConflict: { type: 'com.amazonaws.dynamodb.v20120810#ReplicatedWriteConflictException', status: 400 },
  validation: { type: 'com.amazon.coral.validate#ValidationException', status: 400 },
  resourceNotFound: { type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', status: 400 },
  serialization: { type: 'com.amazon.coral.service#SerializationException', status: 400 },
  unknownOperation: { type: 'com.amazon.coral.service#UnknownOperationException', status: 400 },
  internal: { type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', status: 500 },
} as const;

export type ErrorKind = keyof typeof ERRORS;

export function errorAnswer(kind: ErrorKind, message: string): WireAnswer {
  const { type, status } = ERRORS[kind];
  return { status, body: JSON.stringify({ __type: type, message }) };
}

export function okAnswer(body: unknown): WireAnswer {
  return { status: 200, body: JSON.stringify(body) };
}

/** One DynamoDB API call to DynamoDB Local, the body given and answered in wire form. */
export function callDynamo(endpoint: string, operation: string, body: unknown): Promise<WireAnswer> {
  return postDynamo(endpoint, `${TARGET_PREFIX}${operation}`, body);
}

/** Like callDynamo, but a non-2xx answer throws a DynamoWireError (for the store's own bookkeeping calls). */
export function callDynamoOk<T = Record<string, unknown>>(endpoint: string, operation: string, body: unknown): Promise<T> {
  return callDynamoWire<T>(endpoint, DYNAMODB_TARGET, operation, body);
}

/** `TableName` may be a name or a table ARN (`arn:aws:dynamodb:<region>:<account>:table/<name>`). */
export function tableNameOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  const arn = /^arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/([^/]+)$/.exec(value);
  return arn ? arn[1] : value;
}

/** The item's primary key in a canonical string (key attributes in key-schema order). */
export function keyIdentity(keyAttributes: readonly string[], item: WireItem): string {
  return JSON.stringify(keyAttributes.map((name) => item[name] ?? null));
}

export function keyOf(keyAttributes: readonly string[], item: WireItem): WireItem {
  const key: WireItem = {};
  for (const name of keyAttributes) {
    const value = item[name];
    if (value !== undefined) key[name] = value;
  }
  return key;
}
