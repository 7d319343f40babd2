import { createHash } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { REMOVED } from './attribute-fingerprint';
import type { ApplyAttempt, ApplyOutcome } from './engine';

/** A bucket change: the object key is the item key; its content is read from the source when delivered. */
export interface BucketPayload {
  removed: boolean;
}

export interface BucketEndpoint {
  client: S3Client;
  bucket: string;
}

/** The source object was read while s3rver was still writing it. */
export class SourceObjectInFlux extends Error {
  override readonly name = 'SourceObjectInFlux';
  constructor(bucket: string, key: string) {
    super(`Object ${key} in ${bucket} was still being written; retrying`);
  }
}

/** Content fingerprint of an object: s3rver's ETag for a single-part put is the body's MD5. */
export function objectFingerprint(eTag: string | undefined): string {
  return eTag === undefined ? 'object:unknown' : `object:${eTag.replace(/"/g, '')}`;
}

/**
 * Copies one object (body, content type, user metadata, caching headers) from the source
 * bucket to the same key in the target bucket, or deletes it there. The body is read at
 * delivery time, like S3 replication reading the source: if the object changed again since,
 * the newer content goes (its own change follows and is delivered the same way), and if it is
 * gone, its removal follows and this copy is skipped.
 */
export async function applyToBucket(
  source: BucketEndpoint,
  target: BucketEndpoint,
  attempt: ApplyAttempt<BucketPayload>,
  signal: AbortSignal,
): Promise<ApplyOutcome> {
  const key = attempt.job.write.key;
  if (attempt.job.write.payload.removed) {
    if (!attempt.expectEcho(REMOVED)) return 'superseded';
    await target.client.send(new DeleteObjectCommand({ Bucket: target.bucket, Key: key }), { abortSignal: signal });
    // s3rver reports changes before it answers, so an echo has already been seen or never comes.
    return 'applied-no-echo';
  }
  let object: GetObjectCommandOutput;
  try {
    object = await source.client.send(new GetObjectCommand({ Bucket: source.bucket, Key: key }), { abortSignal: signal });
  } catch (error) {
    if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return 'source-gone';
    throw error;
  }
  const body = await object.Body?.transformToByteArray();
  if (!body) return 'source-gone';
  const md5 = createHash('md5').update(body).digest('hex');
  const eTag = object.ETag?.replace(/"/g, '');
  // s3rver reports a put before its file is fully flushed and writes the metadata after the
  // body, so a read right after the notification can see a torn object: retry it later.
  if (eTag !== undefined && !eTag.includes('-') && eTag !== md5) throw new SourceObjectInFlux(source.bucket, key);
  if (!attempt.expectEcho(objectFingerprint(md5))) return 'superseded';
  await target.client.send(
    new PutObjectCommand({
      Bucket: target.bucket,
      Key: key,
      Body: body,
      ContentType: object.ContentType,
      Metadata: object.Metadata,
      CacheControl: object.CacheControl,
      ContentDisposition: object.ContentDisposition,
      ContentEncoding: object.ContentEncoding,
      ContentLanguage: object.ContentLanguage,
    }),
    { abortSignal: signal },
  );
  return 'applied-no-echo';
}
