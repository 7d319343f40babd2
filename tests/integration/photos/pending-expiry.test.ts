// A pending photo whose upload never completes must not stay forever: it carries the photo
// table's TTL attribute (infra/resources/tables-primary.yml) until it is listed.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { PENDING_RETENTION_SECONDS, photoItemKey } from '../../../shared/photos/adapters/dynamo-photo-store';
import { call, IMAGES, uploadPhoto, usePrimaryPhotoRoutes } from './harness';

describe('pending photo expiry (real handlers, DynamoDB Local)', () => {
  const stack = usePrimaryPhotoRoutes();

  const item = async (id: string) =>
    (
      await stack.env.documents.send(
        new GetCommand({ TableName: stack.env.tables.PhotosTable!, Key: photoItemKey(id), ConsistentRead: true }),
      )
    ).Item;

  it('a pending photo expires a day after its upload deadline', async () => {
    // Act: the upload is requested, and never made
    const created = await call(stack.routes.createPhoto, {
      method: 'POST',
      route: '/photos',
      user: 'alice',
      body: { contentType: 'image/png', size: IMAGES['image/png'].length },
    });

    // Assess
    expect(created.status).toBe(201);
    const stored = await item(created.body.photo.id);
    expect(stored).toMatchObject({ status: 'pending' });
    const deadline = Date.parse(String(stored?.uploadDeadline));
    expect(stored?.expiresAt).toBe(Math.ceil(deadline / 1000) + PENDING_RETENTION_SECONDS);
  });

  it('a listed photo does not expire', async () => {
    const { id, completed } = await uploadPhoto(stack.routes, { user: 'alice' });

    expect(completed.status).toBe(200);
    const stored = await item(id);
    expect(stored).toMatchObject({ status: 'ready' });
    expect(stored).not.toHaveProperty('expiresAt');
  });
});
