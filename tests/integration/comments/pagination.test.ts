import {
  call,
  loadRoutes,
  PHOTO_ENVIRONMENT_TIMEOUT,
  type PhotoEnvironment,
  PRIMARY,
  type Routes,
  startPhotoEnvironment,
  uploadPhoto,
} from '../photos/harness';

describe('comment list pagination', () => {
  let env: PhotoEnvironment;
  let routes: Routes;
  let photoId: string;

  beforeAll(async () => {
    env = await startPhotoEnvironment();
    routes = loadRoutes(env, PRIMARY);
    photoId = (await uploadPhoto(routes)).id;
  }, PHOTO_ENVIRONMENT_TIMEOUT);

  afterAll(async () => {
    await env?.stop();
  });

  const comment = (text: string) =>
    call(routes.addComment, {
      method: 'POST',
      route: '/photos/{photoId}/comments',
      pathParameters: { photoId },
      user: 'bob',
      body: { text },
    });
  const page = (cursor?: string) =>
    call(routes.listComments, {
      method: 'GET',
      route: '/photos/{photoId}/comments',
      pathParameters: { photoId },
      query: { limit: '4', ...(cursor ? { cursor } : {}) },
    });

  it('pages oldest first with no duplicates and no skips while comments are added concurrently', async () => {
    // Prepare: 10 comments, one after the other
    const existing: string[] = [];
    for (let i = 0; i < 10; i += 1) existing.push((await comment(`existing ${i}`)).body.id);

    // Act: page through, adding two comments at the same time as every page is read
    const seen: string[] = [];
    const added: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const [answer, a, b] = await Promise.all([page(cursor), comment(`during ${pages} a`), comment(`during ${pages} b`)]);
      expect(answer.status).toBe(200);
      seen.push(...answer.body.items.map((c: { id: string }) => c.id));
      added.push(a.body.id, b.body.id);
      cursor = answer.body.nextCursor ?? undefined;
      pages += 1;
    } while (cursor && pages < 12);

    // Assess: no comment twice; every comment that existed before paging began, in order
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => existing.includes(id))).toEqual(existing);
    expect(seen).toEqual([...seen].sort());
    // Comments added while paging land after the existing ones (the tail), never in between.
    const firstAdded = seen.findIndex((id) => added.includes(id));
    if (firstAdded !== -1) expect(seen.slice(firstAdded).every((id) => added.includes(id))).toBe(true);
  });

  it('refuses a cursor of another photo', async () => {
    // Prepare: a cursor from this photo's comments
    const first = await page();
    const otherPhoto = (await uploadPhoto(routes)).id;

    // Act
    const answer = await call(routes.listComments, {
      method: 'GET',
      route: '/photos/{photoId}/comments',
      pathParameters: { photoId: otherPhoto },
      query: { cursor: first.body.nextCursor },
    });

    // Assess
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect({ status: answer.status, code: answer.body.code }).toEqual({ status: 400, code: 'INVALID_CURSOR' });
  });
});
