import { call, IMAGES, loadRoutes, type PhotoEnvironment, PRIMARY, type Routes, SECONDARY, startPhotoEnvironment } from './harness';

describe('idempotent writes (Idempotency-Key, Powertools on the IdempotencyTable)', () => {
  let env: PhotoEnvironment;
  let routes: Routes;

  beforeAll(async () => {
    env = await startPhotoEnvironment();
    routes = loadRoutes(env, PRIMARY);
  });

  afterAll(async () => {
    await env?.stop();
  });

  const createPhoto = (key: string, body: unknown, user = 'alice') =>
    call(routes.createPhoto, { method: 'POST', route: '/photos', user, body, headers: { 'Idempotency-Key': key } });

  it('a retried photo creation creates one photo and answers the same photo', async () => {
    // Prepare
    const body = { contentType: 'image/png', size: 68, title: 'once' };

    // Act: the same request three times, two of them at once
    const first = await createPhoto('photo-key-0001', body);
    const [second, third] = await Promise.all([createPhoto('photo-key-0001', body), createPhoto('photo-key-0001', body)]);

    // Assess: one item; every answer that succeeded names it
    const photos = (await env.snapshot()).photos;
    expect(photos).toHaveLength(1);
    expect(first.status).toBe(201);
    for (const retry of [second, third]) {
      // A retry racing the first attempt may be told to retry (409); it never creates another photo.
      if (retry.status === 201) expect(retry.body.photo.id).toBe(first.body.photo.id);
      else expect({ status: retry.status, code: retry.body.code }).toEqual({ status: 409, code: 'IDEMPOTENCY_IN_PROGRESS' });
    }
    // The retry still gets a working upload URL.
    const again = await createPhoto('photo-key-0001', body);
    expect(again.body.photo.id).toBe(first.body.photo.id);
    expect(again.body.upload.url).toEqual(expect.stringContaining(`uploads/${first.body.photo.id}`));
  });

  it('the same key with a different body is refused (422) and stores nothing', async () => {
    // Prepare
    await createPhoto('photo-key-0002', { contentType: 'image/png', size: 68 });
    const before = await env.snapshot();

    // Act
    const answer = await createPhoto('photo-key-0002', { contentType: 'image/gif', size: 43 });

    // Assess
    expect({ status: answer.status, code: answer.body.code }).toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await env.snapshot()).toEqual(before);
  });

  it('keys are scoped by user: two users with the same key get two photos', async () => {
    // Act
    const alice = await createPhoto('shared-key-0003', { contentType: 'image/png', size: 68 }, 'alice');
    const bob = await createPhoto('shared-key-0003', { contentType: 'image/png', size: 68 }, 'bob');

    // Assess
    expect([alice.status, bob.status]).toEqual([201, 201]);
    expect(alice.body.photo.id).not.toBe(bob.body.photo.id);
  });

  it('a comment retried in the other region after a failover is stored once', async () => {
    // Prepare: a listed photo, and a comment written in the primary with a key
    const created = await createPhoto('photo-key-0004', { contentType: 'image/png', size: 68 });
    const photoId = created.body.photo.id as string;
    await fetch(created.body.upload.url, {
      method: 'PUT',
      headers: created.body.upload.headers,
      body: new Uint8Array(IMAGES['image/png']),
    });
    await call(routes.completePhotoUpload, { method: 'POST', route: '/photos/{photoId}/complete', pathParameters: { photoId } });
    const comment = {
      method: 'POST' as const,
      route: '/photos/{photoId}/comments',
      pathParameters: { photoId },
      body: { text: 'once only' },
    };
    const first = await call(routes.addComment, { ...comment, headers: { 'Idempotency-Key': 'comment-key-0004' } });

    // Act: the region fails over; the client, unsure the first write landed, retries in the secondary
    await env.setState('failover');
    const secondary = loadRoutes(env, SECONDARY);
    const retry = await call(secondary.addComment, { ...comment, headers: { 'Idempotency-Key': 'comment-key-0004' } });
    await env.setState('active');

    // Assess
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.body.id).toBe(first.body.id);
    const comments = (await env.snapshot()).comments;
    expect(comments).toHaveLength(1);
  });

  it('a retried delete answers 204 again instead of 404', async () => {
    // Prepare
    const created = await createPhoto('photo-key-0005', { contentType: 'image/png', size: 68 });
    const remove = {
      method: 'DELETE' as const,
      route: '/photos/{photoId}',
      pathParameters: { photoId: created.body.photo.id },
      headers: { 'Idempotency-Key': 'delete-key-0005' },
    };

    // Act
    const first = await call(routes.deletePhoto, remove);
    const retry = await call(routes.deletePhoto, remove);
    const withoutKey = await call(routes.deletePhoto, { ...remove, headers: {} });

    // Assess
    expect([first.status, retry.status, withoutKey.status]).toEqual([204, 204, 404]);
  });

  it('a refused write does not burn its key: the retry after the fence lifts succeeds', async () => {
    // Prepare: fenced
    await env.setState('fenced');
    const fenced = loadRoutes(env, PRIMARY);
    const refused = await call(fenced.createPhoto, {
      method: 'POST',
      route: '/photos',
      body: { contentType: 'image/png', size: 68 },
      headers: { 'Idempotency-Key': 'photo-key-0006' },
    });

    // Act: the fence lifts and the client retries with the same key
    await env.setState('active');
    const active = loadRoutes(env, PRIMARY);
    const retried = await call(active.createPhoto, {
      method: 'POST',
      route: '/photos',
      body: { contentType: 'image/png', size: 68 },
      headers: { 'Idempotency-Key': 'photo-key-0006' },
    });

    // Assess
    expect(refused.status).toBe(503);
    expect(retried.status).toBe(201);
  });
});
