// The probes' heartbeats in the quorum store (docs/fencing.md). Each region's probe renews its own
// with a write that succeeds only while that region reaches a majority of the quorum; a peer
// reads it with a strongly consistent read. A heartbeat that stopped therefore means "that
// region is down or cut off from the quorum", while a fresh heartbeat of a peer this region
// cannot reach means "the link between us is cut": no reason to fail over.
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';

export const heartbeatKey = (appId: string, region: string) => ({ pk: `HEARTBEAT#${appId}`, sk: region });

export interface HeartbeatStore {
  beat(region: string, at: Date): Promise<void>;
  /** ISO time of the region's last heartbeat, or null if it never beat. Throws when the quorum cannot be reached. */
  lastBeat(region: string): Promise<string | null>;
}

export class DynamoHeartbeats implements HeartbeatStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly appId: string,
  ) {}

  async beat(region: string, at: Date): Promise<void> {
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: { ...heartbeatKey(this.appId, region), region, at: at.toISOString() } }),
    );
  }

  async lastBeat(region: string): Promise<string | null> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: heartbeatKey(this.appId, region), ConsistentRead: true }),
    );
    return typeof Item?.at === 'string' ? Item.at : null;
  }
}

/** Is a heartbeat at `at` (or none) stale at `now`? */
export function heartbeatStale(at: string | null, now: Date, staleSeconds: number): boolean {
  if (at === null) return true;
  const age = now.getTime() - Date.parse(at);
  return !(age <= staleSeconds * 1000);
}
