// Composition root of the photos and comments handlers: adapters built once per container,
// each on first use, so a function only creates the clients it needs.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { appStateGate } from '../app-state/wiring';
import type { WriteGate } from '../app-state/write-gate';
import { dynamoDocumentClient, enforceWriteDeadline, usesLocalS3 } from '../aws-clients';
import { loadAppEnv, nonEmpty } from '../env';
import { createDynamoIdempotentWrites } from '../idempotency/dynamo-idempotent-writes';
import type { IdempotentWrites } from '../idempotency/idempotent-writes';
import { DynamoCommentStore } from './adapters/dynamo-comment-store';
import { DynamoPhotoStore } from './adapters/dynamo-photo-store';
import { S3ObjectStore } from './adapters/s3-object-store';
import type { CommentStore } from './comment-model';
import type { ObjectStore, PhotoStore } from './model';

const env = loadAppEnv({ PHOTOS_TABLE: nonEmpty, COMMENTS_TABLE: nonEmpty, IDEMPOTENCY_TABLE: nonEmpty, PHOTOS_BUCKET: nonEmpty });

const once = <T>(make: () => T): (() => T) => {
  let value: T | undefined;
  return () => {
    value ??= make();
    return value;
  };
};

export const clock = (): Date => new Date();

export const photoStore = once((): PhotoStore => new DynamoPhotoStore(dynamoDocumentClient(), env.PHOTOS_TABLE));

export const commentStore = once(
  (): CommentStore => new DynamoCommentStore(dynamoDocumentClient(), { comments: env.COMMENTS_TABLE, photos: env.PHOTOS_TABLE }),
);

export const objectStore = once((): ObjectStore => {
  // Without WHEN_REQUIRED the SDK signs a CRC32 of the EMPTY body into presigned PUT URLs, and
  // S3 then rejects every real upload with a checksum mismatch.
  const client = enforceWriteDeadline(
    new S3Client({ forcePathStyle: usesLocalS3(process.env), requestChecksumCalculation: 'WHEN_REQUIRED' }),
  );
  return new S3ObjectStore(client, env.PHOTOS_BUCKET, clock);
});

export const writeGate = once((): WriteGate => appStateGate(env));

const idempotencyClient = once(() => new DynamoDBClient({}));

/** Idempotency records of one write operation (the name is part of every stored key). */
export function idempotentWrites(operation: string): IdempotentWrites {
  return createDynamoIdempotentWrites({ client: idempotencyClient(), tableName: env.IDEMPOTENCY_TABLE, operation });
}
