// The runbook lock, in the quorum store (docs/fencing.md): one conditional write decides who
// holds it, linearizably across both regions, so a failover in the secondary and a fence lift in
// the primary can never both hold it. It is a lease: every step renews it, and a holder that
// stopped renewing (an execution stopped, timed out or crashed) loses it when it expires.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { recordKeys } from '../model';
import type { LockHolder, RunbookLock } from '../steps/ports';

export class QuorumRunbookLock implements RunbookLock {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly appId: string,
  ) {}

  async acquire(holder: LockHolder, nowSeconds: number): Promise<{ acquired: true } | { acquired: false; holder: LockHolder | null }> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...recordKeys.lock(this.appId), ...holder },
          // Free, expired (its holder stopped renewing it), or already ours (a retried Begin).
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR executionId = :me',
          ExpressionAttributeValues: { ':now': nowSeconds, ':me': holder.executionId },
        }),
      );
      return { acquired: true };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { acquired: false, holder: await this.peek(nowSeconds) };
      throw error;
    }
  }

  async peek(nowSeconds: number): Promise<LockHolder | null> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: recordKeys.lock(this.appId), ConsistentRead: true }),
    );
    const holder = lockHolderOf(Item);
    return holder && holder.expiresAt >= nowSeconds ? holder : null;
  }

  async release(executionId: string): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: recordKeys.lock(this.appId),
          ConditionExpression: 'executionId = :me',
          ExpressionAttributeValues: { ':me': executionId },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async renew(executionId: string, expiresAt: number): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: recordKeys.lock(this.appId),
          UpdateExpression: 'SET expiresAt = :expiresAt',
          ConditionExpression: 'executionId = :me AND expiresAt < :expiresAt',
          ExpressionAttributeValues: { ':me': executionId, ':expiresAt': expiresAt },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

/** The lock item as stored, expired or not (null: no item, or one without a lease). */
export function lockHolderOf(item: Record<string, unknown> | undefined): LockHolder | null {
  if (!item || typeof item.expiresAt !== 'number') return null;
  return {
    executionId: String(item.executionId),
    runbook: String(item.runbook),
    requestedBy: String(item.requestedBy),
    acquiredAt: String(item.acquiredAt),
    expiresAt: item.expiresAt,
  };
}
