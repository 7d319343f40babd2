// Each region's lease record in the quorum store (docs/fencing.md, "The lease record"). Before a
// write gate renews its lease it records the renewal's start here, with a write that succeeds only
// while the region reaches a majority of the quorum (DynamoDB developer guide, "Multi-Region strong
// consistency": writes are replicated to a second participant before they succeed). The lease then
// counts from that start. A runbook that took writes away from the region reads the record, with a
// strongly consistent read, after its transition committed: every lease the region was granted
// started no later than what it reads, so the region's writes end by then + lease + margin, which
// for a region cut off long ago is already past.
//
// The record only moves forward (a condition on `since`): a renewal whose start is older than the
// one recorded writes nothing, the newer start already covers it.
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

export const leaseRecordKey = (appId: string, region: string) => ({ pk: `LEASE#${appId}`, sk: region });

export interface LeaseRecords {
  /** Records that one of `region`'s gates starts a lease at `startedAt` (epoch ms). Throws when the quorum cannot be reached. */
  record(region: string, startedAt: number): Promise<void>;
  /** The newest lease start `region` recorded (epoch ms), or null if none. Strongly consistent; throws when the quorum cannot be reached. */
  latest(region: string): Promise<number | null>;
}

export class DynamoLeaseRecords implements LeaseRecords {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly appId: string,
  ) {}

  async record(region: string, startedAt: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: leaseRecordKey(this.appId, region),
          UpdateExpression: 'SET #since = :since, #at = :at',
          ConditionExpression: 'attribute_not_exists(#since) OR #since < :since',
          ExpressionAttributeNames: { '#since': 'since', '#at': 'at' },
          ExpressionAttributeValues: { ':since': startedAt, ':at': new Date(startedAt).toISOString() },
        }),
      );
    } catch (error) {
      // A newer start is recorded already: it bounds this lease too.
      if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return;
      throw error;
    }
  }

  async latest(region: string): Promise<number | null> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: leaseRecordKey(this.appId, region), ConsistentRead: true }),
    );
    return typeof Item?.since === 'number' && Number.isFinite(Item.since) ? Item.since : null;
  }
}
