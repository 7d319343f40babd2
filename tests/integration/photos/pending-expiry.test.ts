// A pending photo whose upload never completes must not stay forever: it carries the photo
// table's TTL attribute (infra/resources/tables-primary.yml) until it is listed.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { PENDING_RETENTION_SECONDS, photoItemKey } from '../../../shared/photos/dynamo-photo-store';
import { call, IMAGES, loadRoutes, type PhotoEnvironment, PRIMARY, type Routes, startPhotoEnvironment, uploadPhoto } from './harness';

describe('pending photo expiry (real handlers, DynamoDB Local)', () => {
  let env: PhotoEnvironment;
  let routes: Routes;

  beforeAll(async () => {
    env = await startPhotoEnvironment();
    routes = loadRoutes(env, PRIMARY);
  });

  afterAll(async () => {
    await env?.stop();
  });

  const item = async (id: string) =>
    (await env.documents.send(new GetCommand({ TableName: env.tables.PhotosTable!, Key: photoItemKey(id), ConsistentRead: true }))).Item;

  it('a pending photo expires a day after its upload deadline', async () => {
    // Act: the upload is requested, and never made
    const created = await call(routes.createPhoto, {
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
    const { id, completed } = await uploadPhoto(routes, { user: 'alice' });

    expect(completed.status).toBe(200);
    const stored = await item(id);
    expect(stored).toMatchObject({ status: 'ready' });
    expect(stored).not.toHaveProperty('expiresAt');
  });
});
