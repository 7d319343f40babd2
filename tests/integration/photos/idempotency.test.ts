import { DeleteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { newId } from '../../../shared/photos/ids';
import { requestDigest } from '../../../shared/write-journal/model';
import { call, IMAGES, loadRoutes, PRIMARY, type Routes, SECONDARY, usePrimaryPhotoRoutes } from './harness';

describe('idempotent writes (Idempotency-Key, Powertools on the IdempotencyTable)', () => {
  const stack = usePrimaryPhotoRoutes();

  const createPhoto = (key: string, body: unknown, user = 'alice') =>
    call(stack.routes.createPhoto, { method: 'POST', route: '/photos', user, body, headers: { 'Idempotency-Key': key } });

  it('a retried photo creation creates one photo and answers the same photo', async () => {
    // Prepare
    const body = { contentType: 'image/png', size: 68, title: 'once' };

    // Act: the same request three times, two of them at once
    const first = await createPhoto('photo-key-0001', body);
    const [second, third] = await Promise.all([createPhoto('photo-key-0001', body), createPhoto('photo-key-0001', body)]);

    // Assess: one item; every answer that succeeded names it
    const photos = (await stack.env.snapshot()).photos;
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
    const before = await stack.env.snapshot();

    // Act
    const answer = await createPhoto('photo-key-0002', { contentType: 'image/gif', size: 43 });

    // Assess
    expect({ status: answer.status, code: answer.body.code }).toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await stack.env.snapshot()).toEqual(before);
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
    await call(stack.routes.completePhotoUpload, { method: 'POST', route: '/photos/{photoId}/complete', pathParameters: { photoId } });
    const comment = {
      method: 'POST' as const,
      route: '/photos/{photoId}/comments',
      pathParameters: { photoId },
      body: { text: 'once only' },
    };
    const first = await call(stack.routes.addComment, { ...comment, headers: { 'Idempotency-Key': 'comment-key-0004' } });

    // Act: the region fails over; the client, unsure the first write landed, retries in the secondary
    await stack.env.setState('failover');
    const secondary = loadRoutes(stack.env, SECONDARY);
    const retry = await call(secondary.addComment, { ...comment, headers: { 'Idempotency-Key': 'comment-key-0004' } });
    await stack.env.setState('active');

    // Assess
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.body.id).toBe(first.body.id);
    const comments = (await stack.env.snapshot()).comments;
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
    const first = await call(stack.routes.deletePhoto, remove);
    const retry = await call(stack.routes.deletePhoto, remove);
    const withoutKey = await call(stack.routes.deletePhoto, { ...remove, headers: {} });

    // Assess
    expect([first.status, retry.status, withoutKey.status]).toEqual([204, 204, 404]);
  });

  it('a refused write does not burn its key: the retry after the fence lifts succeeds', async () => {
    // Prepare: fenced
    await stack.env.setState('fenced');
    const fenced = loadRoutes(stack.env, PRIMARY);
    const refused = await call(fenced.createPhoto, {
      method: 'POST',
      route: '/photos',
      body: { contentType: 'image/png', size: 68 },
      headers: { 'Idempotency-Key': 'photo-key-0006' },
    });

    // Act: the fence lifts and the client retries with the same key
    await stack.env.setState('active');
    const active = loadRoutes(stack.env, PRIMARY);
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

  /** As if the idempotency records had not replicated to the region the retry goes to. */
  const forgetIdempotencyRecords = async () => {
    const { Items = [] } = await stack.env.documents.send(
      new ScanCommand({ TableName: stack.env.tables.IdempotencyTable, ConsistentRead: true }),
    );
    for (const item of Items)
      await stack.env.documents.send(new DeleteCommand({ TableName: stack.env.tables.IdempotencyTable, Key: { id: item.id } }));
  };

  const listedPhoto = async (key: string) => {
    const created = await createPhoto(key, { contentType: 'image/png', size: 68 });
    const photoId = created.body.photo.id as string;
    await fetch(created.body.upload.url, {
      method: 'PUT',
      headers: created.body.upload.headers,
      body: new Uint8Array(IMAGES['image/png']),
    });
    await call(stack.routes.completePhotoUpload, { method: 'POST', route: '/photos/{photoId}/complete', pathParameters: { photoId } });
    return photoId;
  };

  it('with ULID keys, a retry in the other region writes the same comment, and comments keep the order they were first sent in', async () => {
    // Prepare: three keys made 1 s apart, as three clients would when they first send
    const photoId = await listedPhoto(newId(new Date()));
    const t = Date.now() - 10_000;
    const [early, middle, late] = [t, t + 1_000, t + 2_000].map((ms) => newId(new Date(ms)));
    const add = (r: Routes, key: string, text: string) =>
      call(r.addComment, {
        method: 'POST',
        route: '/photos/{photoId}/comments',
        pathParameters: { photoId },
        body: { text },
        headers: { 'Idempotency-Key': key },
      });

    // Act: they reach the server in another order; the early one's answer is lost and the
    // client retries it in the secondary after a failover, where its idempotency record never arrived
    const lateAnswer = await add(stack.routes, late as string, 'late');
    const earlyFirst = await add(stack.routes, early as string, 'early');
    const middleAnswer = await add(stack.routes, middle as string, 'middle');
    await stack.env.setState('failover');
    await forgetIdempotencyRecords();
    const secondary = loadRoutes(stack.env, SECONDARY);
    const earlyRetry = await add(secondary, early as string, 'early');
    const reused = await add(secondary, middle as string, 'not what was sent first');
    await stack.env.setState('active');

    // Assess: one comment per request, the retry answered with the first attempt's comment,
    // and the list in the order the comments were first sent (the keys' time), not received
    expect([lateAnswer.status, earlyFirst.status, middleAnswer.status, earlyRetry.status]).toEqual([201, 201, 201, 201]);
    expect(earlyRetry.body).toEqual(earlyFirst.body);
    expect({ status: reused.status, code: reused.body.code }).toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    const listed = await call(stack.routes.listComments, {
      method: 'GET',
      route: '/photos/{photoId}/comments',
      pathParameters: { photoId },
    });
    expect(listed.body.items.map((c: { text: string }) => c.text)).toEqual(['early', 'middle', 'late']);
    expect(listed.body.items.map((c: { id: string }) => c.id)).toEqual([earlyFirst.body.id, middleAnswer.body.id, lateAnswer.body.id]);
    expect(earlyFirst.body.createdAt).toBe(new Date(t).toISOString());
  });

  it('with ULID keys, a photo creation retried after its record is lost creates no second photo', async () => {
    // Prepare
    const key = newId(new Date());
    const body = { contentType: 'image/png', size: 68, title: 'exactly once' };
    const first = await createPhoto(key, body);
    const before = (await stack.env.snapshot()).photos.length;

    // Act
    await forgetIdempotencyRecords();
    const retry = await createPhoto(key, body);
    const otherUser = await createPhoto(key, body, 'bob');

    // Assess: bob's key is his own: another photo
    expect([first.status, retry.status, otherUser.status]).toEqual([201, 201, 201]);
    expect(retry.body.photo.id).toBe(first.body.photo.id);
    expect(otherUser.body.photo.id).not.toBe(first.body.photo.id);
    expect((await stack.env.snapshot()).photos.length).toBe(before + 1);
  });

  it('with a key, a photo names the request that created it, from creation through completion, as its journal entry does', async () => {
    // Act
    const photoId = await listedPhoto(newId(new Date()));

    // Assess: the creation's journal entry and the photo carry one digest, of what the request
    // fixed (not the per-attempt upload deadline); the completion's entry carries none
    const { photos, journal } = await stack.env.snapshot();
    const item = (photos as Array<Record<string, unknown>>).find((p) => p.id === photoId) as Record<string, unknown>;
    const entries = journal.filter((e) => (e.item as { pk: string }).pk === `PHOTO#${photoId}`);
    expect(item.status).toBe('ready');
    expect(entries.map((e) => e.request ?? null)).toEqual([item.creationRequest, null]);
    const fixed = ['id', 'ownerId', 'ownerName', 'title', 'contentType', 'declaredSize', 'status', 'createdAt'];
    const asCreated = Object.fromEntries(fixed.filter((k) => k in item).map((k) => [k, k === 'status' ? 'pending' : item[k]]));
    expect(item.creationRequest).toBe(requestDigest(asCreated));
  });

  it('refuses a ULID key far from the server clock (a stale or skewed client), storing nothing', async () => {
    // Prepare
    const before = await stack.env.snapshot();

    // Act
    const stale = await createPhoto(newId(new Date(Date.now() - 2 * 3_600_000)), { contentType: 'image/png', size: 68 });

    // Assess
    expect({ status: stale.status, code: stale.body.code }).toEqual({ status: 400, code: 'IDEMPOTENCY_KEY_OUT_OF_RANGE' });
    expect(await stack.env.snapshot()).toEqual(before);
  });
});
