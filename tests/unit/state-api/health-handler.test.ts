import { httpEvent, lambdaContext } from '../shared/http-event';

type Handler = typeof import('../../../services/state-api/health-handler')['handler'];

const savedEnv = { ...process.env };
afterEach(() => {
  process.env = { ...savedEnv };
});

async function loadHandler(env: Record<string, string>): Promise<Handler> {
  Object.assign(process.env, env);
  let handler: Handler | undefined;
  await jest.isolateModulesAsync(async () => {
    ({ handler } = await import('../../../services/state-api/health-handler'));
  });
  return handler!;
}

describe('GET /health handler', () => {
  it('answers liveness with its region and time, uncached, needing nothing but AWS_REGION', async () => {
    // Prepare: none of the app's other variables are set
    for (const name of ['APP_ID', 'APP_STATE_TABLE', 'PRIMARY_REGION', 'SECONDARY_REGION']) delete process.env[name];
    const handler = await loadHandler({ AWS_REGION: 'us-west-2' });
    const before = Date.now();

    // Act
    const result = await handler(httpEvent({ path: '/health' }), lambdaContext());

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({ 'Cache-Control': 'no-store', 'Content-Type': 'application/json' });
    const body = JSON.parse(result.body!);
    expect(body).toEqual({ status: 'ok', region: 'us-west-2', time: expect.any(String) });
    expect(Date.parse(body.time)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('fails to load without AWS_REGION, naming it', async () => {
    // Prepare
    delete process.env.AWS_REGION;

    // Act
    const load = loadHandler({});

    // Assess
    await expect(load).rejects.toThrow('AWS_REGION is required');
  });
});
