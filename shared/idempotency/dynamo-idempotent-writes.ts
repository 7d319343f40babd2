import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { IdempotencyKeyReused, IdempotentRequestInProgress } from './errors';
import type { IdempotentRequest, IdempotentWrites, Json } from './idempotent-writes';
import { remainingInvocationMs } from './invocation';

export interface DynamoIdempotentWritesOptions {
  client: DynamoDBClient;
  tableName: string;
  /**
   * Names the operation in the stored key. Fixed rather than derived from the Lambda function
   * name so that a retry sent to the other region after a failover finds the same record
   * (the idempotency table is global).
   */
  operation: string;
  /** How long a completed write is remembered. Default one day: long enough to span a failover. */
  expiresAfterSeconds?: number;
  /**
   * An unfinished attempt (its Lambda crashed or timed out, or its region went dark) stops
   * blocking retries when its invocation would have ended: the in-progress record expires after
   * the invocation's remaining time (see ./invocation.ts). This is the fallback outside an
   * invocation: the functions' timeout (provider.timeout in serverless.yml, 10 s).
   */
  inProgressExpiryMs?: number;
}

/** Powertools Idempotency on the IdempotencyTable: `id` key, `expiration` TTL. */
export function createDynamoIdempotentWrites(options: DynamoIdempotentWritesOptions): IdempotentWrites {
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName: options.tableName, awsSdkV3Client: options.client });
  const inProgressExpiryMs = options.inProgressExpiryMs ?? 10_000;
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    payloadValidationJmesPath: 'payload',
    expiresAfterSeconds: options.expiresAfterSeconds ?? 86_400,
    // Powertools sets the in-progress expiry to now + the Lambda context's remaining time, and a
    // retry finding an expired in-progress record takes it over (its conditional put allows it).
    // So a record replicated from a region that died mid-write blocks a retry in the other region
    // no longer than the first invocation could have run: at most the function timeout. A
    // retry that runs meanwhile is safe anyway: ids come from the request (shared/photos/ids.ts).
    lambdaContext: { getRemainingTimeInMillis: () => remainingInvocationMs() ?? inProgressExpiryMs } as unknown as Context,
  });
  const once = makeIdempotent(async (_request: { key: string; payload: Json }, write: () => Promise<Json>): Promise<Json> => write(), {
    persistenceStore,
    config,
    keyPrefix: options.operation,
  });

  return {
    async run<T>(request: IdempotentRequest, write: () => Promise<T>): Promise<T> {
      if (request.key === undefined) return write();
      try {
        return (await once({ key: `${request.scope}|${request.key}`, payload: request.payload }, write as () => Promise<Json>)) as T;
      } catch (error) {
        const name = (error as { name?: string } | undefined)?.name;
        if (name === 'IdempotencyValidationError') throw new IdempotencyKeyReused();
        if (name === 'IdempotencyAlreadyInProgressError' || name === 'IdempotencyInconsistentStateError') {
          throw new IdempotentRequestInProgress();
        }
        throw error;
      }
    },
  };
}
