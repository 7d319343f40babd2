import type { AwsServiceError } from './errors';

type Fields = Record<string, unknown>;

/** Reads a request body as an object of fields, whatever the client sent. */
export function fieldsOf(body: unknown): Fields {
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Fields) : {};
}

export function optionalString(fields: Fields, key: string, invalid: (message: string) => AwsServiceError): string | undefined {
  const value = fields[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`${key} must be a string`);
  return value;
}

export function requiredString(fields: Fields, key: string, invalid: (message: string) => AwsServiceError): string {
  const value = optionalString(fields, key, invalid);
  if (value === undefined || value === '') throw invalid(`${key} is required`);
  return value;
}

export function optionalStringList(fields: Fields, key: string, invalid: (message: string) => AwsServiceError): string[] | undefined {
  const value = fields[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw invalid(`${key} must be a list of strings`);
  return value as string[];
}

/** Pagination as offsets: enough for local lists that fit in memory. */
export function page<T>(items: T[], maxResults: unknown, nextToken: unknown, fallbackSize: number): { items: T[]; nextToken?: string } {
  const start = typeof nextToken === 'string' && /^\d+$/.test(nextToken) ? Number(nextToken) : 0;
  const size = typeof maxResults === 'number' && maxResults > 0 ? maxResults : fallbackSize;
  const slice = items.slice(start, start + size);
  return start + size < items.length ? { items: slice, nextToken: String(start + size) } : { items: slice };
}

/** The value under `key`, created on first use. */
export function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}
