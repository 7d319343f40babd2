import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { S3_LOCAL_CREDENTIALS } from '../../../local/s3-local';
import { photoItemKey } from '../../../shared/photos/adapters/dynamo-photo-store';
import {
  type Answer,
  bucketOf,
  call,
  dataOf,
  IMAGES,
  loadRoutes,
  PHOTO_ENVIRONMENT_TIMEOUT,
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
  }, PHOTO_ENVIRONMENT_TIMEOUT);

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
    // A JSON text sent as something else is not parsed anyway (it used to be stored: 201).
    [
      'a JSON body sent as text/plain',
      () => createPhoto(JSON.stringify({ contentType: 'image/png', size: 10 }), { headers: { 'content-type': 'text/plain' } }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a JSON body sent as application/octet-stream',
      () =>
        createPhoto(JSON.stringify({ contentType: 'image/png', size: 10 }), { headers: { 'content-type': 'application/octet-stream' } }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a JSON body sent as a form',
      () =>
        createPhoto(JSON.stringify({ contentType: 'image/png', size: 10 }), {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'a JSON body without a Content-Type',
      () => createPhoto(JSON.stringify({ contentType: 'image/png', size: 10 }), { headers: { 'content-type': '' } }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
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
      "completing another user's listed photo",
      () =>
        call(routes.completePhotoUpload, {
          method: 'POST',
          route: '/photos/{photoId}/complete',
          pathParameters: { photoId: listed },
          user: 'bob',
        }),
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
    ['a comment of zero-width characters only', () => addComment({ text: '\u200b\u200c\u200d\u2060\ufeff' }), 400, 'VALIDATION'],
    ['a comment of invisible format characters and spaces', () => addComment({ text: ' \u00ad\u200b \u3164 ' }), 400, 'VALIDATION'],
    [
      'a comment sent as text/plain',
      () =>
        call(routes.addComment, {
          method: 'POST',
          route: '/photos/{photoId}/comments',
          pathParameters: { photoId: listed },
          body: JSON.stringify({ text: 'hello' }),
          headers: { 'content-type': 'text/plain' },
        }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
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

  it('names the refused action in an owner-only refusal', async () => {
    // Act
    const complete = await call(routes.completePhotoUpload, {
      method: 'POST',
      route: '/photos/{photoId}/complete',
      pathParameters: { photoId: listed },
      user: 'bob',
    });
    const remove = await call(routes.deletePhoto, {
      method: 'DELETE',
      route: '/photos/{photoId}',
      pathParameters: { photoId: listed },
      user: 'bob',
    });

    // Assess
    expect(complete.body.message).toBe("Only the owner may complete this photo's upload");
    expect(remove.body.message).toBe('Only the owner may delete this photo');
  });

  it('gives no upload URL when POST /photos is replayed after its upload was rejected (410), storing nothing', async () => {
    // Prepare: an upload with a key, whose bytes are refused by the completion (the photo is discarded)
    const key = 'replay-after-rejection-01';
    const body = { contentType: 'image/png', size: 20 };
    const created = await createPhoto(body, { headers: { 'Idempotency-Key': key } });
    const put = await fetch(created.body.upload.url, {
      method: 'PUT',
      headers: created.body.upload.headers,
      body: new Uint8Array(Buffer.from('not an image, 20 b..')),
    });
    expect(put.status).toBe(200);
    const rejected = await call(routes.completePhotoUpload, {
      method: 'POST',
      route: '/photos/{photoId}/complete',
      pathParameters: { photoId: created.body.photo.id },
    });
    expect(rejected.status).toBe(415);
    const before = await env.snapshot();

    // Act
    const replay = await createPhoto(body, { headers: { 'Idempotency-Key': key } });

    // Assess: refused, no URL, nothing stored. The URL of the first answer stays valid until its
    // deadline (S3 cannot revoke a presigned URL); what it uploads now lands under uploads/, which
    // the bucket's lifecycle rule for uploads/ removes on AWS (the S3 stand-in has no lifecycle).
    expect({ status: replay.status, code: replay.body.code }).toEqual({ status: 410, code: 'UPLOAD_DISCARDED' });
    expect(replay.body.upload).toBeUndefined();
    expect(await env.snapshot()).toEqual(before);
  });

  it('gives no upload URL when POST /photos is replayed after its upload was completed (409)', async () => {
    // Prepare: a completed upload made with a key
    const key = 'replay-after-completion-1';
    const body = { contentType: 'image/png', size: IMAGES['image/png'].length };
    const created = await createPhoto(body, { headers: { 'Idempotency-Key': key } });
    await fetch(created.body.upload.url, {
      method: 'PUT',
      headers: created.body.upload.headers,
      body: new Uint8Array(IMAGES['image/png']),
    });
    const completed = await call(routes.completePhotoUpload, {
      method: 'POST',
      route: '/photos/{photoId}/complete',
      pathParameters: { photoId: created.body.photo.id },
    });
    expect(completed.status).toBe(200);
    const before = await env.snapshot();

    // Act
    const replay = await createPhoto(body, { headers: { 'Idempotency-Key': key } });

    // Assess
    expect({ status: replay.status, code: replay.body.code }).toEqual({ status: 409, code: 'UPLOAD_COMPLETED' });
    expect(replay.body.upload).toBeUndefined();
    expect(await env.snapshot()).toEqual(before);
    await call(routes.deletePhoto, { method: 'DELETE', route: '/photos/{photoId}', pathParameters: { photoId: created.body.photo.id } });
  });

  it('leaves no upload object after completion, even when the still-valid upload URL is used again', async () => {
    // Prepare: a completed upload; then a second PUT to its upload URL (S3 lets the URL work until
    // its deadline), which puts an object at uploads/<id> again
    const { id, created } = await uploadPhoto(routes, { user: 'alice' });
    const objectsOf = async () => (await env.snapshot()).objects.filter((key) => key.endsWith(id));
    expect(await objectsOf()).toEqual([expect.stringMatching(`/photos/${id}$`)]);
    const again = await fetch(created.body.upload.url, {
      method: 'PUT',
      headers: created.body.upload.headers,
      body: new Uint8Array(IMAGES['image/png']),
    });
    expect(again.status).toBe(200);
    expect(await objectsOf()).toHaveLength(2);

    // Act: the client's completion (a retry, or the web app's) after that PUT
    const completed = await call(routes.completePhotoUpload, {
      method: 'POST',
      route: '/photos/{photoId}/complete',
      pathParameters: { photoId: id },
    });

    // Assess: listed as before, and the late upload is gone. A late PUT that no completion follows
    // is removed by the lifecycle rule for uploads/ on AWS: an AWS-only behaviour (no lifecycle in
    // the S3 stand-in), so it is not asserted here.
    expect({ status: completed.status, ready: completed.body.photo.status }).toEqual({ status: 200, ready: 'ready' });
    expect(await objectsOf()).toEqual([expect.stringMatching(`/photos/${id}$`)]);
    await call(routes.deletePhoto, { method: 'DELETE', route: '/photos/{photoId}', pathParameters: { photoId: id } });
  });

  it('never lists a rejected upload', async () => {
    // Prepare / Act: a spoofed upload, then the list
    await completeWithBytes('image/gif', Buffer.from('GIF?'));
    const list = await listPhotos({});

    // Assess: only the one good photo
    expect(list.body.items.map((p: { id: string }) => p.id)).toEqual([listed]);
  });
});

/**
 * Uploads and downloads reach S3 with presigned URLs, so S3 itself is the API there. The S3
 * stand-in checks requests as S3 checks them for a private bucket (local/s3-signature.ts), so
 * each of these refusals is what S3 answers on AWS; the listed photo's bytes never change.
 */
describe('bad input to S3: refused as S3 refuses it, nothing stored', () => {
  let env: PhotoEnvironment;
  let routes: Routes;
  let listed: string;

  beforeAll(async () => {
    env = await startPhotoEnvironment();
    routes = loadRoutes(env, PRIMARY);
    listed = (await uploadPhoto(routes, { user: 'alice' })).id;
  }, PHOTO_ENVIRONMENT_TIMEOUT);

  afterAll(async () => {
    await env?.stop();
  });

  const bucket = bucketOf(PRIMARY);
  const photoUrl = (key: string) => `${env.s3.endpoint}/${bucket}/${key}`;
  const png = IMAGES['image/png'];

  /** A pending upload of a 68-byte PNG: its presigned PUT. */
  const pendingUpload = async (): Promise<{ id: string; url: string; headers: Record<string, string> }> => {
    const created = await call(routes.createPhoto, {
      method: 'POST',
      route: '/photos',
      body: { contentType: 'image/png', size: png.length },
    });
    if (created.status !== 201) throw new Error(`setup failed: ${created.status}`);
    return { id: created.body.photo.id, url: created.body.upload.url, headers: created.body.upload.headers };
  };
  const withParam = (url: string, name: string, value: string) => {
    const u = new URL(url);
    u.searchParams.set(name, value);
    return u.toString();
  };

  interface S3Answer {
    status: number;
    code: string | undefined;
  }
  const answerOf = async (res: Response): Promise<S3Answer> => ({
    status: res.status,
    code: /<Code>([^<]+)<\/Code>/.exec(await res.text())?.[1],
  });
  /** An SDK client with another key, and one whose body is changed after signing (as a proxy could). */
  const clientWith = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
    new S3Client({ endpoint: env.s3.endpoint, region: PRIMARY, forcePathStyle: true, credentials, maxAttempts: 1 });
  const sdkAnswer = async (send: () => Promise<unknown>): Promise<S3Answer> => {
    try {
      await send();
      return { status: 200, code: undefined };
    } catch (error) {
      const e = error as { name: string; Code?: string; $metadata?: { httpStatusCode?: number } };
      return { status: e.$metadata?.httpStatusCode ?? 0, code: e.Code ?? e.name };
    }
  };

  const cases: Array<[string, () => Promise<S3Answer>, number, string]> = [
    [
      'a presigned PUT whose signature was zeroed',
      async () => {
        const upload = await pendingUpload();
        const url = withParam(upload.url, 'X-Amz-Signature', '0'.repeat(64));
        return answerOf(await fetch(url, { method: 'PUT', headers: upload.headers, body: new Uint8Array(png) }));
      },
      403,
      'SignatureDoesNotMatch',
    ],
    [
      'a presigned PUT with another Content-Type than was signed',
      async () => {
        const upload = await pendingUpload();
        return answerOf(await fetch(upload.url, { method: 'PUT', headers: { 'Content-Type': 'text/html' }, body: new Uint8Array(png) }));
      },
      403,
      'SignatureDoesNotMatch',
    ],
    [
      'a presigned PUT with another Content-Length than was signed',
      async () => {
        const upload = await pendingUpload();
        const bigger = Buffer.concat([png, Buffer.alloc(1000)]);
        return answerOf(await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: new Uint8Array(bigger) }));
      },
      403,
      'SignatureDoesNotMatch',
    ],
    [
      "a presigned PUT aimed at another key (the listed photo's)",
      async () => {
        const upload = await pendingUpload();
        const url = upload.url.replace(`uploads/${upload.id}`, `photos/${listed}`);
        return answerOf(await fetch(url, { method: 'PUT', headers: upload.headers, body: new Uint8Array(png) }));
      },
      403,
      'SignatureDoesNotMatch',
    ],
    [
      'a presigned PUT whose expiry was extended',
      async () => {
        const upload = await pendingUpload();
        return answerOf(
          await fetch(withParam(upload.url, 'X-Amz-Expires', '604800'), {
            method: 'PUT',
            headers: upload.headers,
            body: new Uint8Array(png),
          }),
        );
      },
      403,
      'SignatureDoesNotMatch',
    ],
    [
      'an expired presigned PUT',
      async () => {
        const { id } = await pendingUpload();
        const url = await getSignedUrl(
          env.s3Client,
          new PutObjectCommand({ Bucket: bucket, Key: `uploads/${id}`, ContentType: 'image/png', ContentLength: png.length }),
          { expiresIn: 60, signingDate: new Date(Date.now() - 3_600_000), signableHeaders: new Set(['content-type', 'content-length']) },
        );
        return answerOf(await fetch(url, { method: 'PUT', headers: { 'Content-Type': 'image/png' }, body: new Uint8Array(png) }));
      },
      403,
      'AccessDenied',
    ],
    [
      "an anonymous PUT replacing a listed photo's bytes",
      async () =>
        answerOf(await fetch(photoUrl(`photos/${listed}`), { method: 'PUT', headers: { 'Content-Type': 'image/png' }, body: 'evil' })),
      403,
      'AccessDenied',
    ],
    [
      'an anonymous DELETE of a listed photo',
      async () => answerOf(await fetch(photoUrl(`photos/${listed}`), { method: 'DELETE' })),
      403,
      'AccessDenied',
    ],
    [
      'an anonymous GET of a listed photo (the bucket is private)',
      async () => answerOf(await fetch(photoUrl(`photos/${listed}`))),
      403,
      'AccessDenied',
    ],
    [
      "a photo's download URL used to PUT",
      async () => {
        const got = await call(routes.getPhoto, { method: 'GET', route: '/photos/{photoId}', pathParameters: { photoId: listed } });
        return answerOf(await fetch(got.body.download.url, { method: 'PUT', body: 'evil' }));
      },
      403,
      'SignatureDoesNotMatch',
    ],
    [
      'a SigV2 query signature',
      async () => answerOf(await fetch(`${photoUrl(`photos/${listed}`)}?AWSAccessKeyId=S3RVER&Expires=9999999999&Signature=abc`)),
      400,
      'InvalidRequest',
    ],
    [
      'an SDK request signed with the wrong secret',
      () =>
        sdkAnswer(() =>
          clientWith({ accessKeyId: 'S3RVER', secretAccessKey: 'guessed' }).send(
            new PutObjectCommand({ Bucket: bucket, Key: `photos/${listed}`, Body: Buffer.from('evil') }),
          ),
        ),
      403,
      'SignatureDoesNotMatch',
    ],
    [
      'an SDK request with an unknown access key',
      () =>
        sdkAnswer(() =>
          clientWith({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'S3RVER' }).send(
            new GetObjectCommand({ Bucket: bucket, Key: `photos/${listed}` }),
          ),
        ),
      403,
      'InvalidAccessKeyId',
    ],
    [
      'a signed PUT whose body was swapped after signing (same length)',
      () => {
        const client = clientWith(S3_LOCAL_CREDENTIALS);
        client.middlewareStack.add(
          (next) => async (args) => {
            (args.request as { body: unknown }).body = Buffer.from('evil'.padEnd(png.length, '!'));
            return next(args);
          },
          { step: 'deserialize', name: 'swapBodyAfterSigning' },
        );
        return sdkAnswer(() =>
          client.send(new PutObjectCommand({ Bucket: bucket, Key: `photos/${listed}`, Body: png, ContentType: 'image/png' })),
        );
      },
      400,
      'XAmzContentSHA256Mismatch',
    ],
  ];

  it.each(cases.map(([name, act, status, code]) => ({ name, act, status, code })))(
    '$name → $status $code',
    async ({ act, status, code }) => {
      // Prepare: the act may create a pending photo first; compare objects only, and the listed bytes
      const objectsBefore = (await env.snapshot()).objects;

      // Act
      const answer = await act();

      // Assess
      expect(answer).toEqual({ status, code });
      expect((await env.snapshot()).objects).toEqual(objectsBefore);
      const { Body } = await env.s3Client.send(new GetObjectCommand({ Bucket: bucket, Key: `photos/${listed}` }));
      expect(Buffer.from(await Body!.transformToByteArray()).equals(png)).toBe(true);
    },
  );

  it('accepts what is correctly signed: the presigned PUT as handed out, and SDK requests with the stand-in key', async () => {
    // Prepare
    const upload = await pendingUpload();

    // Act
    const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: new Uint8Array(png) });
    const head = await env.s3Client.send(new HeadObjectCommand({ Bucket: bucket, Key: `uploads/${upload.id}` }));

    // Assess
    expect(put.status).toBe(200);
    expect(head.ContentLength).toBe(png.length);
  });
});
