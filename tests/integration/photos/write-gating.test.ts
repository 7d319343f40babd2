import {
  call,
  loadRoutes,
  PHOTO_ENVIRONMENT_TIMEOUT,
  type PhotoEnvironment,
  PRIMARY,
  type Routes,
  recordMetrics,
  SECONDARY,
  startPhotoEnvironment,
  uploadPhoto,
} from './harness';

type StateName = 'active' | 'fenced' | 'failover';

/** Who may write in each state: the primary while active, nobody while fenced, the secondary in failover. */
const WRITABLE: Record<StateName, string | null> = { active: PRIMARY, fenced: null, failover: SECONDARY };

describe('server-side write gating, in each application state and both regions', () => {
  let env: PhotoEnvironment;
  let seed: { photoId: string; commentId: string };

  beforeAll(async () => {
    env = await startPhotoEnvironment();
    // A listed photo with a comment, written while the primary is active, for the other routes to act on.
    const routes = loadRoutes(env, PRIMARY);
    const { id } = await uploadPhoto(routes, { user: 'alice' });
    const comment = await call(routes.addComment, {
      method: 'POST',
      route: '/photos/{photoId}/comments',
      pathParameters: { photoId: id },
      user: 'alice',
      body: { text: 'first' },
    });
    seed = { photoId: id, commentId: comment.body.id };
  }, PHOTO_ENVIRONMENT_TIMEOUT);

  afterAll(async () => {
    await env?.stop();
  });

  /** Every write route, with a request it would accept if the region were writable. */
  const writes = (routes: Routes) => [
    {
      name: 'create photo',
      run: () => call(routes.createPhoto, { method: 'POST', route: '/photos', body: { contentType: 'image/png', size: 10 } }),
    },
    {
      name: 'complete upload',
      run: () =>
        call(routes.completePhotoUpload, {
          method: 'POST',
          route: '/photos/{photoId}/complete',
          pathParameters: { photoId: seed.photoId },
        }),
    },
    {
      name: 'add comment',
      run: () =>
        call(routes.addComment, {
          method: 'POST',
          route: '/photos/{photoId}/comments',
          pathParameters: { photoId: seed.photoId },
          body: { text: 'hi' },
        }),
    },
    {
      name: 'delete comment',
      run: () =>
        call(routes.deleteComment, {
          method: 'DELETE',
          route: '/photos/{photoId}/comments/{commentId}',
          pathParameters: { photoId: seed.photoId, commentId: seed.commentId },
          user: 'mallory',
        }),
    },
    {
      name: 'delete photo',
      run: () =>
        call(routes.deletePhoto, {
          method: 'DELETE',
          route: '/photos/{photoId}',
          pathParameters: { photoId: seed.photoId },
          user: 'mallory',
        }),
    },
  ];

  const reads = (routes: Routes) => [
    { name: 'list photos', run: () => call(routes.listPhotos, { method: 'GET', route: '/photos' }) },
    {
      name: 'get photo',
      run: () => call(routes.getPhoto, { method: 'GET', route: '/photos/{photoId}', pathParameters: { photoId: seed.photoId } }),
    },
    {
      name: 'list comments',
      run: () =>
        call(routes.listComments, { method: 'GET', route: '/photos/{photoId}/comments', pathParameters: { photoId: seed.photoId } }),
    },
  ];

  describe.each<StateName>(['active', 'fenced', 'failover'])('when %s', (state) => {
    beforeAll(async () => {
      await env.setState(state);
    });

    it.each([PRIMARY, SECONDARY])('in %s: writes gated, reads served', async (region) => {
      // Prepare: fresh containers, so the gate's 1 s cache holds nothing from an earlier state
      const routes = loadRoutes(env, region);
      const metrics = recordMetrics(routes);
      const writable = WRITABLE[state];

      // Act
      const answers = [];
      for (const write of writes(routes)) answers.push({ name: write.name, answer: await write.run() });
      const readAnswers = [];
      for (const read of reads(routes)) readAnswers.push({ name: read.name, status: (await read.run()).status });

      // Assess
      for (const { name, answer } of answers) {
        if (writable === null) {
          expect({ name, status: answer.status, code: answer.body.code }).toEqual({ name, status: 503, code: 'WRITES_FENCED' });
          expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
        } else if (writable !== region) {
          expect({ name, status: answer.status, code: answer.body.code, writableRegion: answer.body.writableRegion }).toEqual({
            name,
            status: 409,
            code: 'WRONG_REGION',
            writableRegion: writable,
          });
        } else {
          // Past the gate: each request is then accepted or refused on its own merits, never by the gate.
          expect({ name, code: answer.body?.code }).not.toEqual({ name, code: expect.stringMatching(/^(WRITES_FENCED|WRONG_REGION)$/) });
        }
      }
      expect(readAnswers).toEqual(reads(routes).map(({ name }) => ({ name, status: 200 })));

      const refusals = metrics.filter((m) => m.name === 'WriteRefused').map((m) => m.dimensions.reason);
      if (writable === null) expect(refusals).toEqual(Array(5).fill('WRITES_FENCED'));
      else if (writable !== region) expect(refusals).toEqual(Array(5).fill('WRONG_REGION'));
      else expect(refusals).not.toContain('WRITES_FENCED');
      expect(metrics.filter((m) => m.name === 'WriteLatency')).toHaveLength(5);
    });
  });

  it('accepts the writes themselves in the writable region (active: primary, failover: secondary)', async () => {
    for (const [state, region] of [
      ['active', PRIMARY],
      ['failover', SECONDARY],
    ] as const) {
      // Prepare
      await env.setState(state);
      const routes = loadRoutes(env, region);
      const metrics = recordMetrics(routes);

      // Act
      const { id, completed } = await uploadPhoto(routes, { user: 'carol' });
      const comment = await call(routes.addComment, {
        method: 'POST',
        route: '/photos/{photoId}/comments',
        pathParameters: { photoId: id },
        user: 'carol',
        body: { text: `written in ${region}` },
      });

      // Assess
      expect(completed.status).toBe(200);
      expect(comment.status).toBe(201);
      expect(metrics.filter((m) => m.name === 'WriteAccepted').map((m) => m.dimensions.operation)).toEqual([
        'createPhoto',
        'completePhotoUpload',
        'addComment',
      ]);
    }
  });
});
