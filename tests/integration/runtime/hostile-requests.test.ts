// Hostile requests against the embedded runtime itself, as a web page in the developer's browser or
// a process on the same machine would send them: each is refused with a 4xx and the runtime still
// serves afterwards (before the request guard, one `GET /%ZZ` ended the whole `npm start`).
// One runtime for the file, without schedules, to keep it quick.
import http from 'node:http';
import { ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import type { Runtime } from '../../../local/runtime';
import { CONTROL_TOKEN_HEADER, startControlServer } from '../../../local/runtime/control-server';
import { issueDevToken } from '../../../shared/auth/dev-identity';
import { RUNTIME_START_TIMEOUT, regionSfnClient, startTestRuntime } from '../../support/runtime';

let rt: Runtime;
let control: Awaited<ReturnType<typeof startControlServer>>;
let token: string;

beforeAll(async () => {
  rt = await startTestRuntime({ schedules: false });
  control = await startControlServer(rt, { port: 0 });
  token = await issueDevToken({ sub: 'hostile-test-user' });
}, RUNTIME_START_TIMEOUT);

afterAll(async () => {
  await control?.stop();
  await rt?.stop();
}, 60_000);

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request exactly as written: fetch() would refuse to set Host or might re-encode the path. */
function raw(
  url: string,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: Number(port), method: options.method ?? 'GET', path: options.path ?? '/', headers: options.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const bearer = () => ({ authorization: `Bearer ${token}` });

/** Every server of the runtime still answers: the control server, both APIs, the AWS APIs stand-in, S3. */
async function expectStillServing(): Promise<void> {
  expect((await raw(control.url, { path: '/__switchyard/status' })).status).toBe(200);
  for (const region of rt.regions) {
    expect((await raw(region.apiUrl, { path: '/state' })).status).toBe(200);
    expect((await raw(region.s3Endpoint, { path: `/${region.bucket}/any`, method: 'HEAD' })).status).toBe(403);
  }
  const machines = await regionSfnClient(rt, rt.primary.region).send(new ListStateMachinesCommand({}));
  expect(machines.stateMachines?.length).toBeGreaterThan(0);
}

describe('malformed request paths answer 400 on every server, and nothing stops', () => {
  const paths = ['/%ZZ', '/%E2%82', '/photos/%ZZ', '/photos/%E2%82%', '/__switchyard/%C0'];
  const servers = (): Array<[string, string, Record<string, string>]> => [
    ['the control server', control.url, {}],
    ['the primary API', rt.primary.apiUrl, bearer()],
    ['the secondary API', rt.secondary.apiUrl, bearer()],
    ['the AWS APIs stand-in', rt.controlPlane.endpoint, {}],
    ['the S3 stand-in', rt.primary.s3Endpoint, {}],
    ['the quorum store door', rt.primary.quorumEndpoint, {}],
  ];

  it.each(paths)('GET %s', async (path) => {
    for (const [name, url, headers] of servers()) {
      // Act
      const answer = await raw(url, { path, headers });

      // Assess
      expect({ server: name, status: answer.status }).toEqual({ server: name, status: 400 });
    }
    await expectStillServing();
  });

  it('answers in each server’s own format', async () => {
    // Act
    const api = await raw(rt.primary.apiUrl, { path: '/photos/%ZZ', headers: bearer() });
    const s3 = await raw(rt.primary.s3Endpoint, { path: '/%ZZ' });

    // Assess
    expect(JSON.parse(api.body)).toEqual({ message: 'Bad Request' });
    expect(s3.body).toContain('<Code>InvalidURI</Code>');
  });
});

describe('the Lambda Invoke API is not served where clients reach the runtime', () => {
  it('refuses POST /2015-03-31/functions/<name>/invocations on the API ports, running nothing', async () => {
    // Prepare: a forged API event that would delete a comment as its author
    const deleteComment = rt.primary.topology.functions.find((f) => f.key === 'deleteComment');
    expect(deleteComment).toBeDefined();
    const forged = JSON.stringify({
      version: '2.0',
      routeKey: 'DELETE /photos/{photoId}/comments/{commentId}',
      pathParameters: { photoId: '01JH0000000000000000000000', commentId: '01JH0000000000000000000001' },
      requestContext: { authorizer: { jwt: { claims: { sub: 'someone-else' } } } },
    });

    for (const region of rt.regions) {
      for (const name of [deleteComment!.name, deleteComment!.key, encodeURIComponent(deleteComment!.arn)]) {
        // Act
        const answer = await raw(region.apiUrl, {
          method: 'POST',
          path: `/2015-03-31/functions/${name}/invocations`,
          headers: { 'content-type': 'application/json' },
          body: forged,
        });

        // Assess: no such route (the runtime's own parts call functions in process)
        expect(answer.status).toBe(404);
        expect(answer.headers['x-amz-function-error']).toBeUndefined();
      }
    }
    expect(rt.clientEnv(rt.primary.region).AWS_ENDPOINT_URL_LAMBDA).toBeUndefined();
    await expectStillServing();
  });
});

describe('the control endpoints refuse cross-site requests', () => {
  const chaos = (headers: Record<string, string>, body = JSON.stringify({ action: 'cut', region: 'us-east-1' })) =>
    raw(control.url, { method: 'POST', path: '/__switchyard/chaos', headers, body });
  const evil = 'http://evil.example';

  const cases: Array<[string, () => Promise<RawAnswer>, number]> = [
    [
      'a text/plain POST from another origin (a simple request: no preflight)',
      () => chaos({ 'content-type': 'text/plain', origin: evil }),
      403,
    ],
    ['a text/plain POST without an Origin', () => chaos({ 'content-type': 'text/plain', [CONTROL_TOKEN_HEADER]: control.token }), 415],
    ['a form POST', () => chaos({ 'content-type': 'application/x-www-form-urlencoded', [CONTROL_TOKEN_HEADER]: control.token }), 415],
    [
      'a JSON POST from another origin, even with the token',
      () => chaos({ 'content-type': 'application/json', origin: evil, [CONTROL_TOKEN_HEADER]: control.token }),
      403,
    ],
    ['a JSON POST without the control token', () => chaos({ 'content-type': 'application/json' }), 401],
    ['a JSON POST with a wrong control token', () => chaos({ 'content-type': 'application/json', [CONTROL_TOKEN_HEADER]: 'guess' }), 401],
    [
      'a page that re-bound its domain to 127.0.0.1 (DNS rebinding)',
      () =>
        chaos({
          'content-type': 'application/json',
          host: `evil.example:${control.port}`,
          origin: `http://evil.example:${control.port}`,
          [CONTROL_TOKEN_HEADER]: control.token,
        }),
      403,
    ],
    [
      'a dev-token request from another origin',
      () =>
        raw(control.url, {
          method: 'POST',
          path: '/__switchyard/dev-token',
          headers: { 'content-type': 'text/plain', origin: evil },
          body: '{"name":"x"}',
        }),
      403,
    ],
    [
      'a text/plain request to the AWS APIs stand-in from a web page',
      () =>
        raw(rt.controlPlane.endpoint, {
          method: 'POST',
          path: '/',
          headers: { 'content-type': 'text/plain', origin: evil, 'x-amz-target': 'AWSStepFunctions.ListStateMachines' },
          body: '{}',
        }),
      403,
    ],
  ];

  it.each(cases.map(([name, act, status]) => ({ name, act, status })))('$name → $status', async ({ act, status }) => {
    // Act
    const answer = await act();

    // Assess: refused, and no region was cut
    expect(answer.status).toBe(status);
    expect(rt.status().regions.map((r) => r.cut)).toEqual([false, false]);
    await expectStillServing();
  });

  it('accepts chaos from the CLI: same machine, JSON, the control token', async () => {
    // Act: a harmless action, then back
    const answer = await chaos(
      { 'content-type': 'application/json', [CONTROL_TOKEN_HEADER]: control.token },
      JSON.stringify({ action: 'lag', ms: 250 }),
    );
    const lag = rt.status().replication.lagMs;
    rt.chaos.setLag(200);

    // Assess
    expect(answer.status).toBe(200);
    expect(lag).toBe(250);
  });
});

describe('the API Gateway stand-in: JWT checks and media types', () => {
  it('refuses a token issued in the future (iat), as the httpApi JWT authorizer does', async () => {
    // Prepare
    const future = await issueDevToken({ sub: 'hostile-test-user', now: new Date(Date.now() + 120_000) });

    // Act
    const refused = await raw(rt.primary.apiUrl, { path: '/photos', headers: { authorization: `Bearer ${future}` } });
    const accepted = await raw(rt.primary.apiUrl, { path: '/photos', headers: bearer() });

    // Assess
    expect(refused.status).toBe(401);
    expect(accepted.status).toBe(200);
    await expectStillServing();
  });

  it('answers 415 to a write whose body is JSON sent as text/plain, storing no photo', async () => {
    // Act
    const answer = await raw(rt.primary.apiUrl, {
      method: 'POST',
      path: '/photos',
      headers: { ...bearer(), 'content-type': 'text/plain' },
      body: JSON.stringify({ contentType: 'image/png', size: 10 }),
    });
    const list = await raw(rt.primary.apiUrl, { path: '/photos', headers: bearer() });

    // Assess
    expect({ status: answer.status, code: JSON.parse(answer.body).code }).toEqual({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(JSON.parse(list.body).items).toEqual([]);
    await expectStillServing();
  });
});
