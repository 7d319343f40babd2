import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListStateMachinesCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Runtime } from '../../local/runtime';
import { issueDevToken } from '../../shared/auth/dev-identity';
import { eventually, RUNTIME_START_TIMEOUT, regionDocumentClient, regionSfnClient, sleep, startTestRuntime } from '../support/runtime';

// A 1x1 PNG: enough bytes for the photo service's magic-number check.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

let rt: Runtime;
let table: string;

beforeAll(async () => {
  rt = await startTestRuntime();
  table = rt.primary.topology.tables.find((t) => t.TableName?.endsWith('-comments'))?.TableName as string;
}, RUNTIME_START_TIMEOUT);

afterAll(async () => {
  const pids = rt?.childPids() ?? [];
  await rt?.stop();
  // No process is left behind: every DynamoDB Local JVM has exited.
  for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
}, 60_000);

describe('the embedded two-region runtime', () => {
  it('serves the state API in both regions from the routes serverless.yml declares', async () => {
    for (const region of rt.regions) {
      const res = await fetch(`${region.apiUrl}/state`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ state: 'active', activeRegion: rt.primary.region, servedBy: region.region });
    }
  });

  it('replicates a photo uploaded through the primary API to the secondary', async () => {
    const token = await issueDevToken({ sub: 'e2e-runtime-user' });
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = await fetch(`${rt.primary.apiUrl}/photos`, {
      method: 'POST',
      headers: { ...auth, 'idempotency-key': `rt-${Date.now()}` },
      body: JSON.stringify({ title: 'replicated', contentType: 'image/png', size: PNG.length }),
    });
    expect(created.status).toBe(201);
    const { photo, upload } = (await created.json()) as {
      photo: { id: string };
      upload: { url: string; headers: Record<string, string> };
    };
    const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: PNG });
    expect(put.ok).toBe(true);
    const completed = await fetch(`${rt.primary.apiUrl}/photos/${photo.id}/complete`, {
      method: 'POST',
      headers: { ...auth, 'idempotency-key': `rt-complete-${Date.now()}` },
    });
    expect(completed.status).toBe(200);

    const written = Date.now();
    // The metadata (global table) and the bytes (bucket replication) both reach the secondary.
    const view = await eventually('the photo in the secondary', async () => {
      const res = await fetch(`${rt.secondary.apiUrl}/photos/${photo.id}`, { headers: auth });
      return res.status === 200 ? ((await res.json()) as { download: { url: string } }) : undefined;
    });
    const bytes = await eventually('the photo bytes in the secondary bucket', async () => {
      const res = await fetch(view.download.url);
      return res.ok ? Buffer.from(await res.arrayBuffer()) : undefined;
    });
    expect(bytes.equals(PNG)).toBe(true);
    expect(new URL(view.download.url).port).toBe(new URL(rt.secondary.s3Endpoint).port);
    const seenAfter = Date.now() - written;
    const stat = rt.replicator.stats().find((s) => s.table.endsWith('-photos') && s.from === rt.primary.region);
    console.log(`photo visible in ${rt.secondary.region} ${seenAfter} ms after completion; measured replication lag ${stat?.lastLagMs} ms`);
    expect(stat?.applied).toBeGreaterThan(0);
  });

  it('converges conflicting writes to one item in both regions to the same value', async () => {
    const a = regionDocumentClient(rt, rt.primary.region);
    const b = regionDocumentClient(rt, rt.secondary.region);
    for (let round = 0; round < 3; round += 1) {
      const key = { pk: `CONFLICT#${round}`, sk: 'item' };
      await Promise.all([
        a.send(new PutCommand({ TableName: table, Item: { ...key, value: `east-${round}` } })),
        b.send(new PutCommand({ TableName: table, Item: { ...key, value: `west-${round}` } })),
      ]);
      await eventually(`round ${round} to converge`, async () => {
        const [x, y] = await Promise.all([
          a.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true })),
          b.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true })),
        ]);
        return x.Item?.value !== undefined && x.Item.value === y.Item?.value;
      });
    }
  });

  it('keeps serving reads in B while A is cut, and delivers A’s queued writes only after the heal', async () => {
    const a = regionDocumentClient(rt, rt.primary.region);
    const b = regionDocumentClient(rt, rt.secondary.region);
    const key = { pk: 'CUT#queued', sk: 'item' };
    rt.chaos.setLag(1500);
    try {
      await a.send(new PutCommand({ TableName: table, Item: { ...key, value: 'written-before-the-cut' } }));
      rt.chaos.cut(rt.primary.region);
      expect((await fetch(`${rt.secondary.apiUrl}/state`)).status).toBe(200);
      await expect(fetch(`${rt.primary.apiUrl}/state`)).rejects.toThrow();
      await sleep(2500);
      expect((await b.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item).toBeUndefined();
    } finally {
      rt.chaos.heal(rt.primary.region);
      rt.chaos.setLag(200);
    }
    const item = await eventually(
      'the queued write in B after the heal',
      async () => (await b.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item,
    );
    expect(item.value).toBe('written-before-the-cut');
  });

  it('runs the ASL from state-machines/ through the Step Functions API, with a readable history', async () => {
    const sfn = regionSfnClient(rt, rt.primary.region);
    const machines = (await sfn.send(new ListStateMachinesCommand({}))).stateMachines ?? [];
    const fence = machines.find((m) => m.name?.endsWith('-fence'));
    expect(fence).toBeDefined();
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: fence?.stateMachineArn,
        input: JSON.stringify({ reason: 'practice the fence', requestedBy: 'e2e:runtime', dryRun: true }),
      }),
    );
    const done = await eventually(
      'the practice fence to finish',
      async () => {
        const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        return d.status !== 'RUNNING' ? d : undefined;
      },
      60_000,
    );
    expect(done.status).toBe('SUCCEEDED');
    const history = (await sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events ?? [];
    expect(history[0]?.type).toBe('ExecutionStarted');
    expect(history.at(-1)?.type).toBe('ExecutionSucceeded');
    expect(history.some((e) => e.type === 'TaskStateEntered')).toBe(true);
    // Practice mode changed nothing.
    expect(await (await fetch(`${rt.primary.apiUrl}/state`)).json()).toMatchObject({ state: 'active', version: 0 });
  });
});
