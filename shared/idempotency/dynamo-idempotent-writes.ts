import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { IdempotencyKeyReused, IdempotentRequestInProgress } from './errors';
import type { IdempotentRequest, IdempotentWrites, Json } from './idempotent-writes';

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
   * After this long an unfinished attempt (its Lambda crashed or timed out) stops blocking
   * retries. Must exceed the function timeout. Default 30 s.
   */
  inProgressExpiryMs?: number;
}

/** Powertools Idempotency on the IdempotencyTable: `id` key, `expiration` TTL. */
export function createDynamoIdempotentWrites(options: DynamoIdempotentWritesOptions): IdempotentWrites {
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName: options.tableName, awsSdkV3Client: options.client });
  const inProgressExpiryMs = options.inProgressExpiryMs ?? 30_000;
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    payloadValidationJmesPath: 'payload',
    expiresAfterSeconds: options.expiresAfterSeconds ?? 86_400,
    // Powertools takes the in-progress expiry from the Lambda context's remaining time. A fixed
    // budget longer than any invocation gives the same guarantee without threading the context
    // through every use case.
    lambdaContext: { getRemainingTimeInMillis: () => inProgressExpiryMs } as unknown as Context,
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
