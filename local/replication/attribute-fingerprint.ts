import { createHash } from 'node:crypto';

/**
 * Structural slice of DynamoDB's AttributeValue: the SDK's (binary as bytes) or the wire form the
 * replicator reads and writes (binary as base64 strings, ../dynamodb-wire.ts).
 */
export interface AttributeValueLike {
  S?: string;
  N?: string;
  B?: Uint8Array | string;
  SS?: string[];
  NS?: string[];
  BS?: Array<Uint8Array | string>;
  M?: Record<string, AttributeValueLike>;
  L?: AttributeValueLike[];
  NULL?: boolean;
  BOOL?: boolean;
}

export type AttributeMap = Record<string, AttributeValueLike>;

/** Content of a removal: an item that is gone matches any other removal of it. */
export const REMOVED = 'removed';

const base64 = (bytes: Uint8Array | string): string => (typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('base64'));

function canonicalValue(value: AttributeValueLike): unknown {
  if (value.S !== undefined) return ['S', value.S];
  if (value.N !== undefined) return ['N', value.N];
  if (value.B !== undefined) return ['B', base64(value.B)];
  if (value.BOOL !== undefined) return ['BOOL', value.BOOL];
  if (value.NULL !== undefined) return ['NULL', value.NULL];
  // Sets have no order: DynamoDB may return members in any order.
  if (value.SS !== undefined) return ['SS', [...value.SS].sort()];
  if (value.NS !== undefined) return ['NS', [...value.NS].sort()];
  if (value.BS !== undefined) return ['BS', value.BS.map(base64).sort()];
  if (value.L !== undefined) return ['L', value.L.map(canonicalValue)];
  if (value.M !== undefined) return ['M', canonicalMap(value.M)];
  throw new TypeError('Unsupported DynamoDB attribute value');
}

function canonicalMap(map: AttributeMap): unknown {
  return Object.keys(map)
    .sort()
    .map((name) => [name, canonicalValue(map[name] as AttributeValueLike)]);
}

/** Same string for the same key attributes, whatever order they are listed in. */
export function itemKeyOf(keys: AttributeMap): string {
  return JSON.stringify(canonicalMap(keys));
}

/** Digest of an item's full content, equal for equal items (attribute and set-member order ignored). */
export function fingerprintOf(image: AttributeMap | undefined | null): string {
  if (!image) return REMOVED;
  return createHash('sha256')
    .update(JSON.stringify(canonicalMap(image)))
    .digest('base64');
}
