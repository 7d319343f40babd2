import { BatchWriteCommand, type DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { journalRecord, stampAttributes, tombstoneKey, tombstoneRecord } from '../../write-journal/model';
import type { CommentListPosition, CommentRecord, CommentStore } from '../comment-model';
import type { Creation, OwnedRemoval, Page, WriteStamp } from '../model';
import { cancellationCodes, photoItemKey } from './dynamo-photo-store';

/*
 * CommentsTable layout: pk = PHOTO#<photoId>, sk = COMMENT#<commentId>. Comment ids are ULIDs,
 * so the sort key alone is oldest-first, and a comment added while someone pages lands after
 * every existing one: pages never repeat or skip comments that existed when paging started.
 * A comment's id comes from its request (shared/photos/request-ids.ts): the key's time, so the
 * order is when the comment was first sent. Writes are stamped and journalled, deletes leave a
 * tombstone (shared/write-journal/model.ts).
 */
const commentKey = (photoId: string, commentId: string) => ({ pk: `PHOTO#${photoId}`, sk: `COMMENT#${commentId}` });
const BATCH_WRITE_LIMIT = 25;
/** A removed comment takes three writes: the delete, its tombstone and its journal entry. */
const COMMENTS_PER_BATCH = Math.floor(BATCH_WRITE_LIMIT / 3);
const MAX_BATCH_ATTEMPTS = 5;

function toRecord(item: Record<string, unknown>): CommentRecord {
  const record: CommentRecord = {
    id: item.id as string,
    photoId: item.photoId as string,
    authorId: item.authorId as string,
    text: item.text as string,
    createdAt: item.createdAt as string,
  };
  if (typeof item.authorName === 'string') record.authorName = item.authorName;
  return record;
}

export class DynamoCommentStore implements CommentStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: { comments: string; photos: string },
  ) {}

  async addToListedPhoto(comment: CommentRecord, stamp: WriteStamp): Promise<Creation<CommentRecord> | { kind: 'photo-not-listed' }> {
    const key = commentKey(comment.photoId, comment.id);
    try {
      // One transaction, so a photo deleted at the same moment cannot end up with an orphan comment.
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: this.tables.photos,
                Key: photoItemKey(comment.photoId),
                ConditionExpression: '#status = :ready',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':ready': 'ready' },
              },
            },
            {
              Put: {
                TableName: this.tables.comments,
                Item: { ...key, ...comment, ...stampAttributes(stamp) },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            // The same request's comment, deleted since: it is not written again.
            {
              ConditionCheck: { TableName: this.tables.comments, Key: tombstoneKey(key), ConditionExpression: 'attribute_not_exists(pk)' },
            },
            { Put: { TableName: this.tables.comments, Item: journalRecord(stamp, key, 'put') } },
          ],
        }),
      );
      return { kind: 'created' };
    } catch (error) {
      const codes = cancellationCodes(error);
      if (codes === undefined) throw error;
      if (codes[1] === 'ConditionalCheckFailed') {
        const existing = await this.get(key);
        return existing ? { kind: 'exists', existing } : { kind: 'deleted' };
      }
      if (codes[2] === 'ConditionalCheckFailed') return { kind: 'deleted' };
      if (codes[0] === 'ConditionalCheckFailed') return { kind: 'photo-not-listed' };
      throw error;
    }
  }

  private async get(key: { pk: string; sk: string }): Promise<CommentRecord | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tables.comments, Key: key, ConsistentRead: true }));
    return Item ? toRecord(Item) : undefined;
  }

  async removeOwned(photoId: string, commentId: string, authorId: string, stamp: WriteStamp): Promise<OwnedRemoval> {
    const key = commentKey(photoId, commentId);
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: this.tables.comments,
                Key: key,
                ConditionExpression: 'attribute_exists(pk) AND authorId = :author',
                ExpressionAttributeValues: { ':author': authorId },
              },
            },
            { Put: { TableName: this.tables.comments, Item: tombstoneRecord(stamp, key) } },
            { Put: { TableName: this.tables.comments, Item: journalRecord(stamp, key, 'delete') } },
          ],
        }),
      );
      return 'removed';
    } catch (error) {
      if (cancellationCodes(error)?.[0] !== 'ConditionalCheckFailed') throw error;
      return (await this.get(key)) ? 'not-owner' : 'missing';
    }
  }

  async list(photoId: string, options: { limit: number; after?: CommentListPosition }): Promise<Page<CommentRecord, CommentListPosition>> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tables.comments,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :comment)',
        ExpressionAttributeValues: { ':pk': `PHOTO#${photoId}`, ':comment': 'COMMENT#' },
        ScanIndexForward: true,
        ConsistentRead: true,
        Limit: options.limit + 1,
        ...(options.after ? { ExclusiveStartKey: commentKey(photoId, options.after.id) } : {}),
      }),
    );
    const items = Items.slice(0, options.limit).map(toRecord);
    const last = items.at(-1);
    return Items.length > options.limit && last ? { items, next: { id: last.id } } : { items };
  }

  async removeAllOf(photoId: string, stamp: WriteStamp): Promise<void> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tables.comments,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `PHOTO#${photoId}` },
          ProjectionExpression: 'pk, sk',
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      const keys = (page.Items ?? []).map((item) => ({ pk: item.pk as string, sk: item.sk as string }));
      for (let i = 0; i < keys.length; i += COMMENTS_PER_BATCH) {
        const batch = keys.slice(i, i + COMMENTS_PER_BATCH);
        // Not one transaction (a photo may have many comments), but all written before the delete is acknowledged.
        await this.writeBatch(
          batch.flatMap((key) => [
            { DeleteRequest: { Key: key } },
            { PutRequest: { Item: tombstoneRecord(stamp, key) } },
            { PutRequest: { Item: journalRecord(stamp, key, 'delete') } },
          ]),
        );
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  private async writeBatch(
    batch: Array<{ DeleteRequest: { Key: Record<string, unknown> } } | { PutRequest: { Item: Record<string, unknown> } }>,
  ): Promise<void> {
    let requests = batch;
    for (let attempt = 1; requests.length > 0; attempt += 1) {
      if (attempt > MAX_BATCH_ATTEMPTS) throw new Error('Comments could not all be deleted (throttled)');
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      const { UnprocessedItems } = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tables.comments]: requests } }));
      requests = (UnprocessedItems?.[this.tables.comments] ?? []) as typeof requests;
    }
  }
}
