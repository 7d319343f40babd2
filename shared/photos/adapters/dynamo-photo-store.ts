import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { CREATION_REQUEST, journalRecord, stampAttributes, tombstoneKey, tombstoneRecord } from '../../write-journal/model';
import type { Creation, OwnedRemoval, Page, PhotoListPosition, PhotoRecord, PhotoStore, WriteStamp } from '../model';

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
 * Each write also stamps the item and puts a journal entry (a delete: and a tombstone) in the
 * same transaction: see shared/write-journal/model.ts.
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

/** Why each action of a transaction was cancelled (`ConditionalCheckFailed`, `None`…), or undefined if it was not a cancellation. */
export function cancellationCodes(error: unknown): string[] | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  return (error.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
}

export class DynamoPhotoStore implements PhotoStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createPending(photo: PhotoRecord, stamp: WriteStamp): Promise<Creation<PhotoRecord>> {
    const key = photoItemKey(photo.id);
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: {
                  ...key,
                  ...photo,
                  status: 'pending',
                  expiresAt: pendingExpiresAt(photo.uploadDeadline),
                  ...stampAttributes(stamp),
                  // Which request created it, kept through its completion (an update): a failback
                  // tells the creation retried in the other region from another write of the id.
                  ...(stamp.request === undefined ? {} : { [CREATION_REQUEST]: stamp.request }),
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            // An id the request fixed may belong to a photo created and deleted already: never again.
            { ConditionCheck: { TableName: this.tableName, Key: tombstoneKey(key), ConditionExpression: 'attribute_not_exists(pk)' } },
            { Put: { TableName: this.tableName, Item: journalRecord(stamp, key, 'put') } },
          ],
        }),
      );
      return { kind: 'created' };
    } catch (error) {
      const codes = cancellationCodes(error);
      if (codes?.[1] === 'ConditionalCheckFailed') return { kind: 'deleted' };
      if (codes?.[0] === 'ConditionalCheckFailed') {
        const existing = await this.get(photo.id);
        // Gone between the two reads: it was deleted, and its tombstone says so next time.
        return existing ? { kind: 'exists', existing } : { kind: 'deleted' };
      }
      throw error;
    }
  }

  async get(photoId: string): Promise<PhotoRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: photoItemKey(photoId), ConsistentRead: true }),
    );
    return Item ? toRecord(Item) : undefined;
  }

  async markReady(
    photoId: string,
    listedAt: string,
    stamp: WriteStamp,
    object: { key: string; etag: string },
  ): Promise<PhotoRecord | undefined> {
    const key = photoItemKey(photoId);
    const stampValues = Object.fromEntries(Object.entries(stampAttributes(stamp)).map(([k, v]) => [`:${k}`, v]));
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: key,
                UpdateExpression:
                  'SET #status = :ready, listedAt = :listedAt, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, ' +
                  'writeId = :writeId, stateVersion = :stateVersion, writtenAt = :writtenAt, writtenIn = :writtenIn ' +
                  // A listed photo never expires (the TTL on a pending photo removes an upload never completed).
                  'REMOVE expiresAt',
                ConditionExpression: '#status = :pending',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: {
                  ':ready': 'ready',
                  ':pending': 'pending',
                  ':listedAt': listedAt,
                  ...Object.fromEntries(Object.entries(listingKey({ listedAt, id: photoId })).map(([k, v]) => [`:${k}`, v])),
                  ...stampValues,
                },
              },
            },
            { Put: { TableName: this.tableName, Item: journalRecord(stamp, key, 'put', [{ key: object.key, etag: object.etag }]) } },
          ],
        }),
      );
    } catch (error) {
      if (cancellationCodes(error)?.[0] === 'ConditionalCheckFailed') return undefined;
      throw error;
    }
    // Transactions return no item: read what was just written (a consistent read sees it).
    return this.get(photoId);
  }

  async removeOwned(photoId: string, ownerId: string, stamp: WriteStamp, objectKeys: string[]): Promise<OwnedRemoval> {
    const key = photoItemKey(photoId);
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.tableName,
                Key: key,
                ConditionExpression: 'attribute_exists(pk) AND ownerId = :owner',
                ExpressionAttributeValues: { ':owner': ownerId },
              },
            },
            { Put: { TableName: this.tableName, Item: tombstoneRecord(stamp, key) } },
            {
              Put: {
                TableName: this.tableName,
                Item: journalRecord(
                  stamp,
                  key,
                  'delete',
                  objectKeys.map((k) => ({ key: k, etag: null })),
                ),
              },
            },
          ],
        }),
      );
      return 'removed';
    } catch (error) {
      if (cancellationCodes(error)?.[0] !== 'ConditionalCheckFailed') throw error;
      return (await this.get(photoId)) ? 'not-owner' : 'missing';
    }
  }

  async discardPending(photoId: string, stamp: WriteStamp): Promise<void> {
    const key = photoItemKey(photoId);
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.tableName,
                Key: key,
                ConditionExpression: '#status = :pending',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':pending': 'pending' },
              },
            },
            { Put: { TableName: this.tableName, Item: tombstoneRecord(stamp, key) } },
            { Put: { TableName: this.tableName, Item: journalRecord(stamp, key, 'delete') } },
          ],
        }),
      );
    } catch (error) {
      // Already gone, or listed meanwhile by a concurrent completion: either way nothing to discard.
      if (cancellationCodes(error)?.[0] !== 'ConditionalCheckFailed') throw error;
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
