import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAppStateStore } from '../../../shared/app-state/store';
import { createTestTables, testDynamoEndpoint } from '../../support/tables';
import { httpEvent, lambdaContext } from '../../unit/shared/http-event';

type Handler = typeof import('../../../services/state-api/get-state-handler')['handler'];

const PRIMARY = 'us-east-1';
const SECONDARY = 'us-west-2';
const by = {
  updatedBy: 'integration-test',
  reason: 'state api test',
  fence: { requestedBy: 'integration-test', executionId: null, automatic: false },
};

let client: DynamoDBClient;
let tableName: string;
let store: DynamoAppStateStore;
const handlers: Record<string, Handler> = {};
const savedEnv = { ...process.env };

/** The real handler module as Lambda would load it in `region`: env first, then a fresh import. */
async function loadHandler(region: string, overrides: Record<string, string> = {}): Promise<Handler> {
  Object.assign(process.env, {
    AWS_REGION: region,
    AWS_ENDPOINT_URL_DYNAMODB: testDynamoEndpoint(),
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    APP_ID: 'switchyard',
    PRIMARY_REGION: PRIMARY,
    SECONDARY_REGION: SECONDARY,
    APP_STATE_TABLE: 'unused-by-get-state',
    QUORUM_TABLE: tableName,
    WRITE_LEASE_MS: '2000',
    CLOCK_SKEW_MARGIN_MS: '500',
    POWERTOOLS_LOG_LEVEL: 'WARN',
    ...overrides,
  });
  let handler: Handler | undefined;
  await jest.isolateModulesAsync(async () => {
    ({ handler } = await import('../../../services/state-api/get-state-handler'));
  });
  return handler!;
}

beforeAll(async () => {
  const created = await createTestTables();
  client = created.client;
  tableName = created.tables.QuorumTable!;
  store = new DynamoAppStateStore({
    client: DynamoDBDocumentClient.from(client),
    tableName,
    appId: 'switchyard',
    primaryRegion: PRIMARY,
    secondaryRegion: SECONDARY,
  });
  handlers[PRIMARY] = await loadHandler(PRIMARY);
  handlers[SECONDARY] = await loadHandler(SECONDARY);
});

afterAll(() => {
  process.env = savedEnv;
});

async function getStateIn(region: string, headers: Record<string, string> = {}) {
  const result = await handlers[region]!(httpEvent({ path: '/state', headers }), lambdaContext(`switchyard-dev-getState`));
  return { ...result, json: result.body ? JSON.parse(result.body) : undefined };
}

async function transition(to: 'fenced' | 'failover' | 'active') {
  const current = await store.get({ consistent: true });
  return store.transition({ expectedState: current.state, expectedVersion: current.version, to, ...by });
}

// The steps run in order: each describes the state the previous one left.
describe('GET /state against DynamoDB Local, in both regions', () => {
  it('answers the initial state: writes go to the primary', async () => {
    // Act
    const east = await getStateIn(PRIMARY);
    const west = await getStateIn(SECONDARY);

    // Assess
    expect(east.statusCode).toBe(200);
    expect(east.headers).toMatchObject({
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, max-age=0',
      ETag: '"v0-us-east-1-w"',
    });
    expect(east.json).toEqual({
      appId: 'switchyard',
      state: 'active',
      activeRegion: PRIMARY,
      writableRegion: PRIMARY,
      version: 0,
      updatedAt: new Date(0).toISOString(),
      reason: 'No state recorded yet',
      writesResumeAt: null,
      isolated: false,
      servedBy: PRIMARY,
      allowed: { read: true, write: true },
    });
    expect(west.statusCode).toBe(200);
    expect(west.json).toEqual({ ...east.json, servedBy: SECONDARY, allowed: { read: true, write: false } });
    expect(west.headers?.ETag).toBe('"v0-us-west-2"');
  });

  it('answers fenced: nobody may write', async () => {
    // Prepare
    const fenced = await transition('fenced');

    // Act
    const east = await getStateIn(PRIMARY);
    const west = await getStateIn(SECONDARY);

    // Assess
    for (const [result, region] of [
      [east, PRIMARY],
      [west, SECONDARY],
    ] as const) {
      expect(result.json).toEqual({
        appId: 'switchyard',
        state: 'fenced',
        activeRegion: PRIMARY,
        writableRegion: null,
        version: 1,
        updatedAt: fenced.updatedAt,
        reason: by.reason,
        writesResumeAt: null,
        isolated: false,
        servedBy: region,
        allowed: { read: true, write: false },
      });
    }
  });

  it('answers failover: writes go to the secondary', async () => {
    // Prepare
    await transition('failover');

    // Act
    const east = await getStateIn(PRIMARY);
    const west = await getStateIn(SECONDARY);

    // Assess
    expect(east.json).toMatchObject({
      state: 'failover',
      activeRegion: SECONDARY,
      writableRegion: SECONDARY,
      version: 2,
      servedBy: PRIMARY,
    });
    expect(east.json.allowed).toEqual({ read: true, write: false });
    expect(west.json).toMatchObject({
      state: 'failover',
      activeRegion: SECONDARY,
      writableRegion: SECONDARY,
      version: 2,
      servedBy: SECONDARY,
    });
    expect(west.json.allowed).toEqual({ read: true, write: true });
  });

  it('answers 304 without a body while the state is unchanged, and 200 once it changes', async () => {
    // Prepare
    const first = await getStateIn(SECONDARY);
    const etag = first.headers?.ETag as string;

    // Act
    const unchanged = await getStateIn(SECONDARY, { 'If-None-Match': etag });
    await transition('fenced');
    const changed = await getStateIn(SECONDARY, { 'If-None-Match': etag });

    // Assess
    expect(unchanged.statusCode).toBe(304);
    expect(unchanged.body).toBeUndefined();
    expect(unchanged.headers).toMatchObject({ ETag: etag, 'Cache-Control': 'no-cache, max-age=0' });
    expect(changed.statusCode).toBe(200);
    expect(changed.json).toMatchObject({ state: 'fenced', activeRegion: SECONDARY, writableRegion: null, version: 3 });
  });

  it('answers a generic 500 when the table cannot be read, without naming it', async () => {
    // Prepare
    const broken = await loadHandler(PRIMARY, { QUORUM_TABLE: 'no-such-table-switchyard', POWERTOOLS_LOG_LEVEL: 'SILENT' });

    // Act
    const result = await broken(httpEvent({ path: '/state' }), lambdaContext());

    // Assess
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body!)).toEqual({ code: 'INTERNAL_ERROR', message: 'Internal server error' });
    expect(result.body).not.toContain('no-such-table');
  });
});
