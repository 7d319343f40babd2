import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DeleteCommand, type DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { photoItemKey } from './dynamo-photo-store';
import type { CommentListPosition, CommentRecord, CommentStore, OwnedRemoval, Page } from './model';

/*
 * CommentsTable layout: pk = PHOTO#<photoId>, sk = COMMENT#<commentId>. Comment ids are ULIDs,
 * so the sort key alone is oldest-first, and a comment added while someone pages lands after
 * every existing one: pages never repeat or skip comments that existed when paging started.
 */
const commentKey = (photoId: string, commentId: string) => ({ pk: `PHOTO#${photoId}`, sk: `COMMENT#${commentId}` });
const BATCH_WRITE_LIMIT = 25;
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

  async addToListedPhoto(comment: CommentRecord): Promise<boolean> {
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
                Item: { ...commentKey(comment.photoId, comment.id), ...comment },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return false;
      throw error;
    }
  }

  async removeOwned(photoId: string, commentId: string, authorId: string): Promise<OwnedRemoval> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tables.comments,
          Key: commentKey(photoId, commentId),
          ConditionExpression: 'attribute_exists(pk) AND authorId = :author',
          ExpressionAttributeValues: { ':author': authorId },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'removed';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return error.Item ? 'not-owner' : 'missing';
      throw error;
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

  async removeAllOf(photoId: string): Promise<void> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tables.comments,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `PHOTO#${photoId}` },
          ProjectionExpression: 'pk, sk',
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      const keys = (page.Items ?? []).map((item) => ({ pk: item.pk as string, sk: item.sk as string }));
      for (let i = 0; i < keys.length; i += BATCH_WRITE_LIMIT) {
        await this.deleteBatch(keys.slice(i, i + BATCH_WRITE_LIMIT));
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  private async deleteBatch(keys: Array<{ pk: string; sk: string }>): Promise<void> {
    let requests = keys.map((Key) => ({ DeleteRequest: { Key } }));
    for (let attempt = 1; requests.length > 0; attempt += 1) {
      if (attempt > MAX_BATCH_ATTEMPTS) throw new Error('Comments could not all be deleted (throttled)');
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      const { UnprocessedItems } = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tables.comments]: requests } }));
      requests = (UnprocessedItems?.[this.tables.comments] ?? []) as typeof requests;
    }
  }
}
