import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { OwnedRemoval, Page, PhotoListPosition, PhotoRecord, PhotoStore } from './model';

/*
 * PhotosTable layout:
 *   pk = PHOTO#<id>, sk = PHOTO          one item per photo, pending or ready
 *   gsi1pk = LISTED, gsi1sk = <listedAt>#<id>   set only when ready: the index is sparse, so a
 *                                         pending or rejected upload can never appear in the list.
 *   expiresAt (epoch seconds)            set only while pending: the table's TTL attribute
 *                                         (infra/resources/tables-primary.yml), so an upload never
 *                                         completed is removed; markReady removes it.
 * Every listed photo shares one index partition. That keeps "newest first across everyone" a
 * single ordered query; at the scale where it gets hot, shard gsi1pk by day.
 */
const SK = 'PHOTO';
const LISTED = 'LISTED';
/**
 * How long a pending photo outlives its upload deadline before DynamoDB's TTL may remove it: a
 * late completion still gets 410 UPLOAD_EXPIRED (not 404) for a day. TTL deletes within days of
 * expiry, not on the second, and a pending photo is never listed nor served meanwhile.
 */
export const PENDING_RETENTION_SECONDS = 24 * 3600;

/** The TTL value (epoch seconds) of a pending photo with this upload deadline. */
export const pendingExpiresAt = (uploadDeadline: string) => Math.ceil(Date.parse(uploadDeadline) / 1000) + PENDING_RETENTION_SECONDS;

export const photoItemKey = (photoId: string) => ({ pk: `PHOTO#${photoId}`, sk: SK });
const listingKey = (position: PhotoListPosition) => ({ gsi1pk: LISTED, gsi1sk: `${position.listedAt}#${position.id}` });

function toRecord(item: Record<string, unknown>): PhotoRecord {
  const record: PhotoRecord = {
    id: item.id as string,
    ownerId: item.ownerId as string,
    title: (item.title as string | undefined) ?? '',
    contentType: item.contentType as PhotoRecord['contentType'],
    declaredSize: item.declaredSize as number,
    status: item.status as PhotoRecord['status'],
    createdAt: item.createdAt as string,
    uploadDeadline: item.uploadDeadline as string,
  };
  if (typeof item.ownerName === 'string') record.ownerName = item.ownerName;
  if (typeof item.listedAt === 'string') record.listedAt = item.listedAt;
  return record;
}

export class DynamoPhotoStore implements PhotoStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createPending(photo: PhotoRecord): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...photoItemKey(photo.id), ...photo, status: 'pending', expiresAt: pendingExpiresAt(photo.uploadDeadline) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(photoId: string): Promise<PhotoRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: photoItemKey(photoId), ConsistentRead: true }),
    );
    return Item ? toRecord(Item) : undefined;
  }

  async markReady(photoId: string, listedAt: string): Promise<PhotoRecord | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: photoItemKey(photoId),
          UpdateExpression: 'SET #status = :ready, listedAt = :listedAt, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk REMOVE expiresAt',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':ready': 'ready',
            ':pending': 'pending',
            ':listedAt': listedAt,
            ...Object.fromEntries(Object.entries(listingKey({ listedAt, id: photoId })).map(([k, v]) => [`:${k}`, v])),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? toRecord(Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async removeOwned(photoId: string, ownerId: string): Promise<OwnedRemoval> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: photoItemKey(photoId),
          ConditionExpression: 'attribute_exists(pk) AND ownerId = :owner',
          ExpressionAttributeValues: { ':owner': ownerId },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'removed';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return error.Item ? 'not-owner' : 'missing';
      throw error;
    }
  }

  async discardPending(photoId: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: photoItemKey(photoId),
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':pending': 'pending' },
        }),
      );
    } catch (error) {
      // Already gone, or listed meanwhile by a concurrent completion: either way nothing to discard.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async listReady(options: { limit: number; after?: PhotoListPosition }): Promise<Page<PhotoRecord, PhotoListPosition>> {
    // One more than asked: tells whether another page exists without ever returning an empty one.
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :listed',
        ExpressionAttributeValues: { ':listed': LISTED },
        ScanIndexForward: false,
        Limit: options.limit + 1,
        ...(options.after ? { ExclusiveStartKey: { ...listingKey(options.after), ...photoItemKey(options.after.id) } } : {}),
      }),
    );
    const items = Items.slice(0, options.limit).map(toRecord);
    const last = items.at(-1);
    return Items.length > options.limit && last?.listedAt ? { items, next: { listedAt: last.listedAt, id: last.id } } : { items };
  }
}
