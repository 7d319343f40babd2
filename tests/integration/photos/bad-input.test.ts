import { photoItemKey } from '../../../shared/photos/dynamo-photo-store';
import {
  type Answer,
  call,
  dataOf,
  IMAGES,
  loadRoutes,
  type PhotoEnvironment,
  PRIMARY,
  putItem,
  putObjectDirectly,
  type Routes,
  startPhotoEnvironment,
  TEST_MAX_BYTES,
  uploadPhoto,
} from './harness';

/**
 * Every bad input is answered 4xx with a reason, and leaves storage exactly as it was: tables
 * (photos, comments, idempotency records) and buckets are compared before and after.
 */
describe('bad input: 4xx with a reason, nothing stored', () => {
  let env: PhotoEnvironment;
  let routes: Routes;
  let listed: string;
  let commentOfBob: string;
  let pendingOfBob: string;

  beforeAll(async () => {
    env = await startPhotoEnvironment();
    routes = loadRoutes(env, PRIMARY);
    listed = (await uploadPhoto(routes, { user: 'alice' })).id;
    const comment = await call(routes.addComment, {
      method: 'POST',
      route: '/photos/{photoId}/comments',
      pathParameters: { photoId: listed },
      user: 'bob',
      body: { text: 'a comment by bob' },
    });
    commentOfBob = comment.body.id;
    const pending = await call(routes.createPhoto, {
      method: 'POST',
      route: '/photos',
      user: 'bob',
      body: { contentType: 'image/png', size: 68 },
    });
    pendingOfBob = pending.body.photo.id;
  });

  afterAll(async () => {
    await env?.stop();
  });

  const createPhoto = (body: unknown, extra: { headers?: Record<string, string>; user?: string | null } = {}) =>
    call(routes.createPhoto, { method: 'POST', route: '/photos', body, ...extra });
  const getPhoto = (photoId: string) => call(routes.getPhoto, { method: 'GET', route: '/photos/{photoId}', pathParameters: { photoId } });
  const addComment = (body: unknown, photoId = listed) =>
    call(routes.addComment, { method: 'POST', route: '/photos/{photoId}/comments', pathParameters: { photoId }, body });
  const listPhotos = (query: Record<string, string>) => call(routes.listPhotos, { method: 'GET', route: '/photos', query });
  const listComments = (photoId: string, query: Record<string, string>) =>
    call(routes.listComments, { method: 'GET', route: '/photos/{photoId}/comments', pathParameters: { photoId }, query });

  /**
   * Starts an upload whose bytes are then replaced (as a client holding the URL could) and
   * completes it. Returns the completion's answer; the "before" snapshot is taken before the
   * upload started, so the rejected photo must leave no trace at all.
   */
  const completeWithBytes = async (declared: keyof typeof IMAGES, bytes: Buffer, declaredSize = bytes.length): Promise<Answer> => {
    const created = await createPhoto({ contentType: declared, size: declaredSize });
    if (created.status !== 201) throw new Error(`setup failed: ${created.status}`);
    await putObjectDirectly(env, PRIMARY, `uploads/${created.body.photo.id}`, bytes);
    return call(routes.completePhotoUpload, {
      method: 'POST',
      route: '/photos/{photoId}/complete',
      pathParameters: { photoId: created.body.photo.id },
    });
  };

  const longId = 'A'.repeat(5000);
  const ulidLike = '01JH0000000000000000000000';

  const cases: Array<[string, () => Promise<Answer>, number, string]> = [
    // POST /photos
    ['malformed JSON', () => createPhoto('{"contentType": "image/png", "size": '), 400, 'VALIDATION'],
    ['a JSON array body', () => createPhoto('[1,2,3]'), 400, 'VALIDATION'],
    ['an empty body', () => call(routes.createPhoto, { method: 'POST', route: '/photos' }), 400, 'VALIDATION'],
    ['a missing contentType', () => createPhoto({ size: 10 }), 400, 'VALIDATION'],
    ['SVG (not an allowed type)', () => createPhoto({ contentType: 'image/svg+xml', size: 10 }), 400, 'VALIDATION'],
    ['text/html declared', () => createPhoto({ contentType: 'text/html', size: 10 }), 400, 'VALIDATION'],
    ['size 0', () => createPhoto({ contentType: 'image/png', size: 0 }), 400, 'VALIDATION'],
    ['a negative size', () => createPhoto({ contentType: 'image/png', size: -5 }), 400, 'VALIDATION'],
    ['a fractional size', () => createPhoto({ contentType: 'image/png', size: 1.5 }), 400, 'VALIDATION'],
    ['size as a string', () => createPhoto({ contentType: 'image/png', size: '100' }), 400, 'VALIDATION'],
    ['a declared size over the limit', () => createPhoto({ contentType: 'image/png', size: TEST_MAX_BYTES + 1 }), 413, 'PHOTO_TOO_LARGE'],
    ['an unknown field', () => createPhoto({ contentType: 'image/png', size: 10, ownerId: 'bob' }), 400, 'VALIDATION'],
    ['a title with control characters', () => createPhoto({ contentType: 'image/png', size: 10, title: 'a\u0007b' }), 400, 'VALIDATION'],
    ['a title of two lines', () => createPhoto({ contentType: 'image/png', size: 10, title: 'a\nb' }), 400, 'VALIDATION'],
    ['a title of 201 characters', () => createPhoto({ contentType: 'image/png', size: 10, title: 't'.repeat(201) }), 400, 'VALIDATION'],
    [
      'a body over 64 KiB',
      () => createPhoto(JSON.stringify({ contentType: 'image/png', size: 10, title: 'x'.repeat(70_000) })),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    ['missing token claims', () => createPhoto({ contentType: 'image/png', size: 10 }, { user: null }), 401, 'UNAUTHENTICATED'],
    [
      'an idempotency key too short',
      () => createPhoto({ contentType: 'image/png', size: 10 }, { headers: { 'Idempotency-Key': 'abc' } }),
      400,
      'INVALID_IDEMPOTENCY_KEY',
    ],
    [
      'an idempotency key with spaces',
      () => createPhoto({ contentType: 'image/png', size: 10 }, { headers: { 'Idempotency-Key': 'retry key number 1' } }),
      400,
      'INVALID_IDEMPOTENCY_KEY',
    ],
    // POST /photos/{photoId}/complete: the real bytes decide
    [
      'actual bytes over the limit',
      () => completeWithBytes('image/png', Buffer.concat([IMAGES['image/png'], Buffer.alloc(TEST_MAX_BYTES)]), 68),
      413,
      'PHOTO_TOO_LARGE',
    ],
    ['actual bytes of another size than declared', () => completeWithBytes('image/png', IMAGES['image/png'], 500), 422, 'SIZE_MISMATCH'],
    ['a PNG declared as JPEG (spoofed type)', () => completeWithBytes('image/jpeg', IMAGES['image/png']), 415, 'UNSUPPORTED_IMAGE'],
    ['a text file named .jpg', () => completeWithBytes('image/jpeg', Buffer.from('just some text, no jpg')), 415, 'UNSUPPORTED_IMAGE'],
    [
      'HTML declared as PNG',
      () => completeWithBytes('image/png', Buffer.from('<html><script>x()</script></html>')),
      415,
      'UNSUPPORTED_IMAGE',
    ],
    [
      'completing before the bytes arrived',
      () =>
        call(routes.completePhotoUpload, {
          method: 'POST',
          route: '/photos/{photoId}/complete',
          pathParameters: { photoId: pendingOfBob },
          user: 'bob',
        }),
      409,
      'UPLOAD_NOT_RECEIVED',
    ],
    [
      "completing another user's upload",
      () =>
        call(routes.completePhotoUpload, {
          method: 'POST',
          route: '/photos/{photoId}/complete',
          pathParameters: { photoId: pendingOfBob },
        }),
      404,
      'PHOTO_NOT_FOUND',
    ],
    // Ids in paths
    ['a traversal-like id ../x', () => getPhoto('../x'), 400, 'VALIDATION'],
    ['an encoded traversal %2e%2e', () => getPhoto('%2e%2e'), 400, 'VALIDATION'],
    ['a very long id', () => getPhoto(longId), 400, 'VALIDATION'],
    ['a lower-case id', () => getPhoto(ulidLike.toLowerCase()), 400, 'VALIDATION'],
    ['a photo that does not exist', () => getPhoto(ulidLike), 404, 'PHOTO_NOT_FOUND'],
    ['a pending photo', () => getPhoto(pendingOfBob), 404, 'PHOTO_NOT_FOUND'],
    [
      'deleting with an id like ../x',
      () => call(routes.deletePhoto, { method: 'DELETE', route: '/photos/{photoId}', pathParameters: { photoId: '../x' } }),
      400,
      'VALIDATION',
    ],
    // Owners only
    [
      "deleting another user's photo",
      () => call(routes.deletePhoto, { method: 'DELETE', route: '/photos/{photoId}', pathParameters: { photoId: listed }, user: 'bob' }),
      403,
      'NOT_OWNER',
    ],
    [
      "deleting another user's comment",
      () =>
        call(routes.deleteComment, {
          method: 'DELETE',
          route: '/photos/{photoId}/comments/{commentId}',
          pathParameters: { photoId: listed, commentId: commentOfBob },
          user: 'alice',
        }),
      403,
      'NOT_OWNER',
    ],
    [
      'deleting without token claims',
      () => call(routes.deletePhoto, { method: 'DELETE', route: '/photos/{photoId}', pathParameters: { photoId: listed }, user: null }),
      401,
      'UNAUTHENTICATED',
    ],
    [
      'claims with an unusable subject',
      () =>
        call(routes.deletePhoto, {
          method: 'DELETE',
          route: '/photos/{photoId}',
          pathParameters: { photoId: listed },
          claims: { sub: 'alice|admin' },
        }),
      401,
      'UNAUTHENTICATED',
    ],
    // POST /photos/{photoId}/comments
    ['an empty comment', () => addComment({ text: '' }), 400, 'VALIDATION'],
    ['a whitespace-only comment', () => addComment({ text: ' \n\t ' }), 400, 'VALIDATION'],
    ['a comment of 2001 characters', () => addComment({ text: 'c'.repeat(2001) }), 400, 'VALIDATION'],
    ['a huge comment (60 000 characters)', () => addComment({ text: '<p>'.repeat(20_000) }), 400, 'VALIDATION'],
    ['a comment with a NUL', () => addComment({ text: 'hello\u0000world' }), 400, 'VALIDATION'],
    ['a comment with a bidi override', () => addComment({ text: 'invoice\u202Etxt.exe' }), 400, 'VALIDATION'],
    ['a comment that is not a string', () => addComment({ text: 42 }), 400, 'VALIDATION'],
    ['a comment without text', () => addComment({ message: 'hi' }), 400, 'VALIDATION'],
    ['a comment as malformed JSON', () => addComment('{"text": "unterminated'), 400, 'VALIDATION'],
    ['a comment on a missing photo', () => addComment({ text: 'hello' }, ulidLike), 404, 'PHOTO_NOT_FOUND'],
    ['a comment on a pending photo', () => addComment({ text: 'hello' }, pendingOfBob), 404, 'PHOTO_NOT_FOUND'],
    ['a comment on a traversal-like id', () => addComment({ text: 'hello' }, '..%2f..%2fx'), 400, 'VALIDATION'],
    // Lists
    ['a garbage cursor', () => listPhotos({ cursor: 'not-a-cursor!' }), 400, 'INVALID_CURSOR'],
    [
      'a well-formed but foreign cursor',
      () => listPhotos({ cursor: Buffer.from('{"v":1,"s":"comments:x","p":{"id":"x"}}').toString('base64url') }),
      400,
      'INVALID_CURSOR',
    ],
    [
      'a tampered cursor',
      () => listPhotos({ cursor: Buffer.from('{"v":1,"s":"photos","p":{"gsi1pk":"X"}}').toString('base64url') }),
      400,
      'INVALID_CURSOR',
    ],
    [
      'a comments cursor of another photo',
      () =>
        listComments(listed, { cursor: Buffer.from(`{"v":1,"s":"comments:${ulidLike}","p":{"id":"${ulidLike}"}}`).toString('base64url') }),
      400,
      'INVALID_CURSOR',
    ],
    ['limit 0', () => listPhotos({ limit: '0' }), 400, 'VALIDATION'],
    ['limit 1000', () => listPhotos({ limit: '1000' }), 400, 'VALIDATION'],
    ['limit abc', () => listPhotos({ limit: 'abc' }), 400, 'VALIDATION'],
    ['an unknown query parameter', () => listPhotos({ owner: 'alice' }), 400, 'VALIDATION'],
    ['comments of a missing photo', () => listComments(ulidLike, {}), 404, 'PHOTO_NOT_FOUND'],
  ];

  it('covers at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases.map(([name, act, status, code]) => ({ name, act, status, code })))(
    '$name → $status $code',
    async ({ act, status, code }) => {
      // Prepare
      const before = await env.snapshot();

      // Act
      const answer = await act();

      // Assess: the refusal, with a reason that echoes nothing internal
      expect({ status: answer.status, code: answer.body?.code }).toEqual({ status, code });
      expect(typeof answer.body.message).toBe('string');
      expect(answer.body.message).not.toMatch(/dynamodb|s3rver|Exception|table|bucket|at .*\.ts/i);
      const after = await env.snapshot();
      expect(dataOf(after)).toEqual(dataOf(before));
      expect(after.journal.length - before.journal.length).toBeLessThanOrEqual(2);
    },
  );

  it('discards an upload that never arrived once its URL has expired (410), leaving nothing', async () => {
    // Prepare: a pending photo whose upload window closed a minute ago
    const before = await env.snapshot();
    const id = '01JH0000000000000000000EXP';
    await putItem(env, env.tables.PhotosTable!, {
      ...photoItemKey(id),
      id,
      ownerId: 'alice',
      title: '',
      contentType: 'image/png',
      declaredSize: 68,
      status: 'pending',
      createdAt: new Date(Date.now() - 960_000).toISOString(),
      uploadDeadline: new Date(Date.now() - 60_000).toISOString(),
    });

    // Act
    const answer = await call(routes.completePhotoUpload, {
      method: 'POST',
      route: '/photos/{photoId}/complete',
      pathParameters: { photoId: id },
    });

    // Assess
    expect({ status: answer.status, code: answer.body.code }).toEqual({ status: 410, code: 'UPLOAD_EXPIRED' });
    const after = await env.snapshot();
    expect(dataOf(after)).toEqual(dataOf(before));
    // The discard is recorded as a delete, so replication and reconciliation see it as one.
    expect(after.tombstones.map((t) => t.pk)).toContain(`TOMBSTONE#PHOTO#${id}`);
  });

  it('never lists a rejected upload', async () => {
    // Prepare / Act: a spoofed upload, then the list
    await completeWithBytes('image/gif', Buffer.from('GIF?'));
    const list = await listPhotos({});

    // Assess: only the one good photo
    expect(list.body.items.map((p: { id: string }) => p.id)).toEqual([listed]);
  });
});
