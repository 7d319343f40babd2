// Test harness for the photos and comments services: real DynamoDB Local tables (one copy per
// test file), a real s3rver with one bucket per region, and the real handler modules loaded
// with the environment serverless.yml gives them.
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { localS3Client } from '../../../local/clients';
import { type S3Local, startS3Local } from '../../../local/s3-local';
import { DynamoAppStateStore } from '../../../shared/app-state/store';
import { type DeclaredFunction, declaredFunctions, withTestTables } from '../../support/functions';
import { createTestTables, testDynamoEndpoint } from '../../support/tables';

export const PRIMARY = 'us-east-1';
export const SECONDARY = 'us-west-2';
export const APP_ID = 'switchyard';
/** Small, so that "larger than the limit" costs little to upload. */
export const TEST_MAX_BYTES = 4096;

export const bucketOf = (region: string) => `switchyard-dev-photos-${region}-000000000000`;

export interface PhotoEnvironment {
  tables: Record<string, string>;
  /** Each region's functions as serverless.yml declares them, their environment on this test's tables. */
  functions: Record<string, Record<string, DeclaredFunction>>;
  documents: DynamoDBDocumentClient;
  s3: S3Local;
  s3Client: S3Client;
  /** Sets the application state through the real store, by legal transitions from the current one. */
  setState(to: 'active' | 'fenced' | 'failover'): Promise<void>;
  /** Everything stored anywhere (tables and both buckets), for "nothing stored" assertions. */
  snapshot(): Promise<Snapshot>;
  stop(): Promise<void>;
}

export interface Snapshot {
  /** Application items only; the write journal and tombstones are listed apart. */
  photos: unknown[];
  comments: unknown[];
  /** Journal entries and tombstones of both tables (shared/write-journal/model.ts). */
  journal: Array<Record<string, unknown>>;
  tombstones: Array<Record<string, unknown>>;
  idempotency: unknown[];
  objects: string[];
}

/**
 * What a refused request may leave: nothing of the application's data, and for bookkeeping
 * only the record of removing what it had created (a rejected upload's tombstone and journal
 * entries), never a live item.
 */
export function dataOf(snapshot: Snapshot): Omit<Snapshot, 'journal' | 'tombstones'> {
  const { journal: _journal, tombstones: _tombstones, ...data } = snapshot;
  return data;
}

/**
 * For a beforeAll that starts a photo environment: the S3 stand-in's worker thread loads s3rver
 * afresh each time (0.5-1.5 s on a loaded 2-core machine), past jest's 5 s default with a few
 * uploads on top.
 */
export const PHOTO_ENVIRONMENT_TIMEOUT = 30_000;

export async function startPhotoEnvironment(): Promise<PhotoEnvironment> {
  const { client, tables, tableOf } = await createTestTables();
  const functions: PhotoEnvironment['functions'] = {};
  for (const region of [PRIMARY, SECONDARY]) {
    functions[region] = Object.fromEntries(
      Object.entries(await declaredFunctions(region)).map(([key, fn]) => [
        key,
        { ...fn, environment: withTestTables(fn.environment, tableOf) },
      ]),
    );
  }
  const documents = DynamoDBDocumentClient.from(client);
  const s3 = await startS3Local({ buckets: [bucketOf(PRIMARY), bucketOf(SECONDARY)] });
  const s3Client = localS3Client(s3.endpoint);
  const store = new DynamoAppStateStore({
    client: documents,
    tableName: tables.QuorumTable!,
    appId: APP_ID,
    primaryRegion: PRIMARY,
    secondaryRegion: SECONDARY,
  });

  const scan = async (table: string) => {
    const { Items = [] } = await documents.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
    return Items.sort((a, b) => `${a.pk ?? a.id}${a.sk ?? ''}`.localeCompare(`${b.pk ?? b.id}${b.sk ?? ''}`));
  };

  return {
    tables,
    functions,
    documents,
    s3,
    s3Client,
    async setState(to) {
      const current = await store.get({ consistent: true });
      if (current.state === to) return;
      const path: Array<'active' | 'fenced' | 'failover'> =
        current.state === 'fenced' ? [to] : ['fenced', ...(to === 'fenced' ? [] : [to])];
      let state = current;
      for (const next of path) {
        state = await store.transition({
          expectedState: state.state,
          expectedVersion: state.version,
          to: next,
          updatedBy: 'test',
          reason: 'test',
          fence: { requestedBy: 'test', executionId: null, automatic: false },
        });
      }
    },
    async snapshot() {
      const objects: string[] = [];
      for (const bucket of [bucketOf(PRIMARY), bucketOf(SECONDARY)]) {
        const { Contents = [] } = await s3Client.send(new ListObjectsV2Command({ Bucket: bucket }));
        objects.push(...Contents.map((o) => `${bucket}/${o.Key}`));
      }
      const data = [...(await scan(tables.PhotosTable!)), ...(await scan(tables.CommentsTable!))];
      const kind = (item: Record<string, unknown>) => String(item.pk).split('#')[0];
      return {
        photos: data.filter((i) => kind(i) === 'PHOTO' && i.sk === 'PHOTO'),
        comments: data.filter((i) => kind(i) === 'PHOTO' && String(i.sk).startsWith('COMMENT#')),
        journal: data.filter((i) => kind(i) === 'JOURNAL'),
        tombstones: data.filter((i) => kind(i) === 'TOMBSTONE'),
        idempotency: await scan(tables.IdempotencyTable!),
        objects: objects.sort(),
      };
    },
    async stop() {
      s3Client.destroy();
      client.destroy();
      await s3.stop();
    },
  };
}

type Handler = (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** The photo and comment functions, by their key in serverless.yml. */
const ROUTE_KEYS = [
  'createPhoto',
  'completePhotoUpload',
  'listPhotos',
  'getPhoto',
  'deletePhoto',
  'addComment',
  'listComments',
  'deleteComment',
] as const;
type RouteKey = (typeof ROUTE_KEYS)[number];

export type Routes = { region: string } & Record<RouteKey, Handler> & {
    /** The Metrics instance these handlers report to (shared/powertools of this module graph). */
    metrics: { singleMetric(): unknown };
  };

/**
 * The real handler modules, freshly loaded for `region` (so each load has its own containers'
 * worth of state: clients, the write gate's cache) with the environment the deploy gives them.
 */
export function loadRoutes(env: PhotoEnvironment, region: string): Routes {
  const declared = env.functions[region] ?? {};
  const fn = (key: RouteKey): DeclaredFunction => {
    const found = declared[key];
    if (!found) throw new Error(`serverless.yml declares no function ${key} in ${region}`);
    return found;
  };
  Object.assign(
    process.env,
    // What the deploy gives these functions (one module graph holds them all: their environments agree)...
    ...ROUTE_KEYS.map((key) => fn(key).environment),
    // ...and what this test changes.
    {
      AWS_REGION: region,
      PHOTOS_MAX_BYTES: String(TEST_MAX_BYTES),
      AWS_ENDPOINT_URL_DYNAMODB: testDynamoEndpoint(),
      AWS_ENDPOINT_URL_S3: env.s3.endpoint,
      // s3rver checks signatures (presigned URLs included) against its fixed key pair; DynamoDB Local accepts any.
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_NAMESPACE: 'SwitchyardTest',
      // EMF lines would drown the test output; recordMetrics() observes what is emitted instead.
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
  );
  let routes: Routes | undefined;
  jest.isolateModules(() => {
    const load = (key: RouteKey): Handler => (require(fn(key).modulePath) as { handler: Handler }).handler;
    routes = {
      region,
      ...(Object.fromEntries(ROUTE_KEYS.map((key) => [key, load(key)])) as Record<RouteKey, Handler>),
      metrics: (require('../../../shared/powertools') as { metrics: Routes['metrics'] }).metrics,
    };
  });
  return routes!;
}

export interface RequestSpec {
  method: 'GET' | 'POST' | 'DELETE';
  /** The route as declared, e.g. /photos/{photoId}/comments. */
  route: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  /** An object is sent as JSON; a string as it is. */
  body?: unknown;
  headers?: Record<string, string>;
  /** The verified subject; null sends the request without any claims. */
  user?: string | null;
  claims?: Record<string, string>;
}

export function httpEvent(spec: RequestSpec): APIGatewayProxyEventV2WithJWTAuthorizer {
  const rawPath = spec.route.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(spec.pathParameters?.[name] ?? ''));
  const rawQueryString = new URLSearchParams(spec.query ?? {}).toString();
  const body = spec.body === undefined ? undefined : typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body);
  const user = spec.user === undefined ? 'alice' : spec.user;
  const claims = spec.claims ?? (user === null ? undefined : { sub: user, iss: 'urn:switchyard:dev-issuer', aud: 'switchyard-dev-client' });
  const now = Date.now();
  const event = {
    version: '2.0',
    routeKey: `${spec.method} ${spec.route}`,
    rawPath,
    rawQueryString,
    headers: { 'content-type': 'application/json', ...(spec.headers ?? {}) },
    ...(spec.query ? { queryStringParameters: spec.query } : {}),
    ...(spec.pathParameters ? { pathParameters: spec.pathParameters } : {}),
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: spec.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      requestId: `req-${now}-${Math.random().toString(36).slice(2)}`,
      routeKey: `${spec.method} ${spec.route}`,
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
      ...(claims ? { authorizer: { principalId: '', integrationLatency: 0, jwt: { claims, scopes: null } } } : {}),
    },
  };
  return event as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;
}

const lambdaContext = (): Context =>
  ({
    functionName: 'switchyard-dev-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:switchyard-dev-test',
    memoryLimitInMB: '512',
    awsRequestId: `aws-${Math.random().toString(36).slice(2)}`,
    logGroupName: '/aws/lambda/test',
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;

export interface Answer {
  status: number;
  headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field.
  body: any;
}

export async function call(handler: Handler, spec: RequestSpec): Promise<Answer> {
  const result = await handler(httpEvent(spec), lambdaContext());
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const text = typeof result.body === 'string' ? result.body : '';
  return { status: result.statusCode ?? 200, headers, body: text === '' ? undefined : JSON.parse(text) };
}

// Just enough of each format for its magic number; the server never decodes pixels.
export const IMAGES = {
  'image/png': Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64'),
  'image/gif': Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64'),
  'image/jpeg': Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
    Buffer.from('JFIF\0'),
    Buffer.alloc(64, 7),
    Buffer.from([0xff, 0xd9]),
  ]),
  'image/webp': Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x24, 0, 0, 0]), Buffer.from('WEBPVP8 '), Buffer.alloc(28, 1)]),
} as const;

export type ImageType = keyof typeof IMAGES;

export interface RecordedMetric {
  name: string;
  unit: string;
  value: number;
  dimensions: Record<string, string>;
}

/** Captures every single metric the routes emit from now on. */
export function recordMetrics(routes: Routes): RecordedMetric[] {
  const recorded: RecordedMetric[] = [];
  jest.spyOn(routes.metrics, 'singleMetric').mockImplementation(() => {
    const dimensions: Record<string, string> = {};
    const single = {
      addDimension(name: string, value: string) {
        dimensions[name] = value;
        return single;
      },
      addMetric(name: string, unit: string, value: number) {
        recorded.push({ name, unit, value, dimensions: { ...dimensions } });
        return single;
      },
    };
    return single;
  });
  return recorded;
}

/** POST /photos, PUT to the presigned URL, POST complete: the client's whole upload. */
export async function uploadPhoto(
  routes: Routes,
  options: { user?: string; contentType?: ImageType; bytes?: Buffer; title?: string; declaredSize?: number } = {},
): Promise<{ id: string; created: Answer; completed: Answer }> {
  const contentType = options.contentType ?? 'image/png';
  const bytes = options.bytes ?? IMAGES[contentType];
  const user = options.user ?? 'alice';
  const created = await call(routes.createPhoto, {
    method: 'POST',
    route: '/photos',
    user,
    body: { contentType, size: options.declaredSize ?? bytes.length, ...(options.title === undefined ? {} : { title: options.title }) },
  });
  if (created.status !== 201) throw new Error(`createPhoto answered ${created.status}: ${JSON.stringify(created.body)}`);
  const { photo, upload } = created.body as {
    photo: { id: string };
    upload: { url: string; method: string; headers: Record<string, string> };
  };
  const put = await fetch(upload.url, { method: upload.method, headers: upload.headers, body: new Uint8Array(bytes) });
  if (!put.ok) throw new Error(`PUT to the presigned URL answered ${put.status}`);
  await put.arrayBuffer();
  const completed = await call(routes.completePhotoUpload, {
    method: 'POST',
    route: '/photos/{photoId}/complete',
    pathParameters: { photoId: photo.id },
    user,
  });
  return { id: photo.id, created, completed };
}

/** Replaces an upload's bytes behind the API's back, as a client holding the presigned URL could. */
export async function putObjectDirectly(env: PhotoEnvironment, region: string, key: string, bytes: Buffer): Promise<void> {
  await env.s3Client.send(new PutObjectCommand({ Bucket: bucketOf(region), Key: key, Body: bytes }));
}

export async function putItem(env: PhotoEnvironment, table: string, item: Record<string, unknown>): Promise<void> {
  await env.documents.send(new PutCommand({ TableName: table, Item: item }));
}

/**
 * A photo environment for one describe block, started before its tests and stopped after them,
 * with the primary's routes loaded: the fields are set once beforeAll has run.
 */
export function usePrimaryPhotoRoutes(): { env: PhotoEnvironment; routes: Routes } {
  const held = {} as { env: PhotoEnvironment; routes: Routes };
  beforeAll(async () => {
    held.env = await startPhotoEnvironment();
    held.routes = loadRoutes(held.env, PRIMARY);
  }, PHOTO_ENVIRONMENT_TIMEOUT);
  afterAll(async () => {
    await held.env?.stop();
  });
  return held;
}
