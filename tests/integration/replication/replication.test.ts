import { randomUUID } from 'node:crypto';
import { DeleteItemCommand, type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { LOCAL_ACCOUNT_ID, strongTablesOf, tablesOf } from '../../../local/cfn';
import { localDynamoClient, localS3Client } from '../../../local/clients';
import { type DynamoDbLocal, ensureTables, startDynamoDbLocal } from '../../../local/dynamodb-local';
import { createReplicator, ReplicationDrainTimeout, type ReplicationStat, type Replicator } from '../../../local/replication';
import { type S3Local, startS3Local } from '../../../local/s3-local';
import { loadServiceDefinition } from '../../../local/service-definition';
import { eventually } from '../../support/eventually';

// Two regions on one machine, each with its own real DynamoDB Local and s3rver, kept in step
// by the replicator under test.
const EAST = 'us-east-1';
const WEST = 'us-west-2';
const bucketOf = (region: string) => `switchyard-dev-photos-${region}-${LOCAL_ACCOUNT_ID}`;

interface Region {
  name: string;
  dynamo: DynamoDbLocal;
  s3: S3Local;
  db: DynamoDBClient;
  objects: S3Client;
  bucket: string;
}

let east: Region;
let west: Region;
let photosTable: string;
let tableNames: string[];
let replicator: Replicator;
const log: string[] = [];
const timersNow = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

/** The timer count once it has stopped falling for a second (at most ~8 s). */
async function settledTimers(): Promise<number> {
  let last = timersNow();
  for (let stableFor = 0, waited = 0; stableFor < 1000 && waited < 8000; waited += 250) {
    await sleep(250);
    const now = timersNow();
    stableFor = now < last ? 0 : stableFor + 250;
    last = Math.min(last, now);
  }
  return last;
}

async function startRegion(name: string, tables: Awaited<ReturnType<typeof tablesOf>>): Promise<Region> {
  const bucket = bucketOf(name);
  const [dynamo, s3] = await Promise.all([startDynamoDbLocal(), startS3Local({ buckets: [bucket] })]);
  const db = localDynamoClient(dynamo.endpoint, name);
  await ensureTables(db, tables);
  return { name, dynamo, s3, db, objects: localS3Client(s3.endpoint, name), bucket };
}

async function stopRegion(region: Region | undefined): Promise<void> {
  if (!region) return;
  region.db.destroy();
  region.objects.destroy();
  await Promise.all([region.dynamo.stop(), region.s3.stop()]);
}

function replicatorFor(lagMs = 200): Replicator {
  return createReplicator({
    regions: [
      {
        region: EAST,
        dynamodbEndpoint: east.dynamo.endpoint,
        s3Endpoint: east.s3.endpoint,
        bucket: east.bucket,
        onObjectEvent: east.s3.onObjectEvent,
      },
      {
        region: WEST,
        dynamodbEndpoint: west.dynamo.endpoint,
        s3Endpoint: west.s3.endpoint,
        bucket: west.bucket,
        onObjectEvent: west.s3.onObjectEvent,
      },
    ],
    tables: tableNames,
    lagMs,
    pollIntervalMs: 50,
    log: (line) => log.push(line),
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const photoKey = (id: string) => ({ pk: { S: `PHOTO#${id}` }, sk: { S: 'META' } });

async function putPhoto(region: Region, id: string, caption: string): Promise<void> {
  await region.db.send(new PutItemCommand({ TableName: photosTable, Item: { ...photoKey(id), caption: { S: caption } } }));
}

async function captionIn(region: Region, id: string): Promise<string | null> {
  const got = await region.db.send(new GetItemCommand({ TableName: photosTable, Key: photoKey(id), ConsistentRead: true }));
  return got.Item?.caption?.S ?? null;
}

async function objectIn(region: Region, key: string) {
  try {
    const object = await region.objects.send(new GetObjectCommand({ Bucket: region.bucket, Key: key }));
    return { body: await object.Body?.transformToString(), contentType: object.ContentType, metadata: object.Metadata };
  } catch (error) {
    if ((error as { name?: string }).name === 'NoSuchKey') return null;
    throw error;
  }
}

async function objectExists(region: Region, key: string): Promise<boolean> {
  try {
    await region.objects.send(new HeadObjectCommand({ Bucket: region.bucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'NotFound') return false;
    throw error;
  }
}

function statOf(table: string, from: string): ReplicationStat {
  const stat = replicator.stats().find((s) => s.table === table && s.from === from);
  if (!stat) throw new Error(`No stats for ${table} from ${from}`);
  return stat;
}

beforeAll(async () => {
  const definition = await loadServiceDefinition('dev', EAST);
  // The eventually consistent global tables; the MRSC quorum table is the quorum store's (local/quorum).
  const strong = new Set(strongTablesOf(definition.resources?.Resources, { region: EAST }).map((t) => t.tableName));
  const tables = tablesOf(definition.resources?.Resources, { region: EAST }).filter((t) => !strong.has(t.TableName ?? ''));
  tableNames = tables.map((t) => t.TableName as string);
  photosTable = tableNames.find((name) => name.endsWith('-photos')) as string;
  [east, west] = await Promise.all([startRegion(EAST, tables), startRegion(WEST, tables)]);
  replicator = replicatorFor();
  await replicator.start();
}, 180_000);

afterAll(async () => {
  await replicator?.stop();
  await Promise.all([stopRegion(east), stopRegion(west)]);
}, 60_000);

describe('embedded replication between two regions', () => {
  it('replicates every table serverless.yml declares', () => {
    expect(tableNames).toHaveLength(4);
    const tables = new Set(replicator.stats().map((s) => s.table));
    expect(tables).toEqual(new Set([...tableNames, `bucket:${east.bucket}`, `bucket:${west.bucket}`]));
  });

  it('copies an item written in one region to the other, and reports the lag', async () => {
    // Prepare
    const id = randomUUID();

    // Act
    await putPhoto(east, id, 'sunset');

    // Assess
    expect(await eventually('the item in us-west-2', async () => (await captionIn(west, id)) ?? undefined)).toBe('sunset');
    // The item can be readable a moment before the replicator has its write acknowledged.
    await replicator.drain();
    const stat = statOf(photosTable, EAST);
    console.info(
      `measured replication lag ${EAST} -> ${WEST}: last ${stat.lastLagMs} ms, p50 ${stat.p50LagMs} ms, max ${stat.maxLagMs} ms`,
    );
    expect(stat.lastLagMs).toBeGreaterThanOrEqual(200);
    expect(stat.lastAppliedAt).not.toBeNull();
  });

  it('replicates a delete', async () => {
    // Prepare
    const id = randomUUID();
    await putPhoto(west, id, 'to be removed');
    await eventually('the item in us-east-1', async () => (await captionIn(east, id)) ?? undefined);

    // Act
    await west.db.send(new DeleteItemCommand({ TableName: photosTable, Key: photoKey(id) }));

    // Assess
    await eventually('the delete in us-east-1', async () => ((await captionIn(east, id)) === null ? true : undefined));
  });

  it('converges conflicting writes made in both regions at the same time to one value', async () => {
    const resolved = () => replicator.stats().reduce((n, s) => (s.table === photosTable ? n + s.superseded + s.repairs : n), 0);
    const resolvedBefore = resolved();
    for (let round = 0; round < 5; round++) {
      // Prepare
      const id = `conflict-${round}-${randomUUID()}`;

      // Act
      await Promise.all([putPhoto(east, id, `east-${round}`), putPhoto(west, id, `west-${round}`)]);
      await replicator.drain();

      // Assess
      const [inEast, inWest] = await Promise.all([captionIn(east, id), captionIn(west, id)]);
      expect(inWest).toBe(inEast);
      expect([`east-${round}`, `west-${round}`]).toContain(inEast);
    }
    // Each round was a real conflict: one write lost (skipped, or overwritten and repaired).
    expect(resolved() - resolvedBefore).toBeGreaterThanOrEqual(5);
  }, 120_000);

  it('does not echo replicated writes back: one apply per write', async () => {
    // Prepare
    await replicator.drain();
    const before = { out: statOf(photosTable, EAST), back: statOf(photosTable, WEST) };
    const ids = [randomUUID(), randomUUID(), randomUUID()];

    // Act
    for (const id of ids) await putPhoto(east, id, 'first');
    await putPhoto(east, ids[0] as string, 'second');
    await replicator.drain();
    await sleep(500);
    await replicator.drain();

    // Assess
    const out = statOf(photosTable, EAST);
    const back = statOf(photosTable, WEST);
    // Each change is delivered on its own: the second write of ids[0] may overtake the first,
    // which is then discarded (last writer wins) instead of applied.
    const applied = out.applied - before.out.applied;
    expect(applied + (out.superseded - before.out.superseded)).toBe(4);
    expect(applied).toBeGreaterThanOrEqual(3);
    expect(out.echoesSuppressed - before.out.echoesSuppressed).toBe(applied);
    expect(back.applied - before.back.applied).toBe(0);
    expect(await captionIn(west, ids[0] as string)).toBe('second');
  }, 60_000);

  it('copies binary, set and nested attributes byte for byte, and sends no echo back (the wire form of values)', async () => {
    // Prepare
    await replicator.drain();
    const id = randomUUID();
    const before = { back: statOf(photosTable, WEST).applied };
    const item = {
      ...photoKey(id),
      caption: { S: 'binary' },
      thumb: { B: new Uint8Array([0, 1, 2, 250, 255]) },
      shards: { BS: [new Uint8Array([9]), new Uint8Array([8, 7])] },
      tags: { SS: ['b', 'a'] },
      sizes: { NS: ['1.5', '10'] },
      nested: { M: { list: { L: [{ N: '1' }, { B: new Uint8Array([42]) }, { NULL: true }, { BOOL: false }] } } },
    };

    // Act
    await east.db.send(new PutItemCommand({ TableName: photosTable, Item: item }));
    await eventually('the item in us-west-2', async () => (await captionIn(west, id)) ?? undefined);
    await replicator.drain();
    await sleep(500);
    await replicator.drain();

    // Assess
    const [inEast, inWest] = await Promise.all(
      [east, west].map(
        async (r) => (await r.db.send(new GetItemCommand({ TableName: photosTable, Key: photoKey(id), ConsistentRead: true }))).Item,
      ),
    );
    expect(inWest).toEqual(inEast);
    expect(Buffer.from(inWest?.thumb?.B as Uint8Array)).toEqual(Buffer.from([0, 1, 2, 250, 255]));
    // The copy's own stream record was taken for the echo it is (same content), not sent back.
    expect(statOf(photosTable, WEST).applied - before.back).toBe(0);
  }, 60_000);

  it('holds a cut region’s writes and delivers them after heal, both ways', async () => {
    // Prepare
    await replicator.drain();
    const fromEast = randomUUID();
    const fromWest = randomUUID();

    // Act
    replicator.cutRegion(EAST);
    await putPhoto(east, fromEast, 'written in the cut region');
    await putPhoto(west, fromWest, 'written while the peer was cut');
    await sleep(1_500);

    // Assess
    expect(await captionIn(west, fromEast)).toBeNull();
    expect(await captionIn(east, fromWest)).toBeNull();
    expect(statOf(photosTable, EAST).pending).toBeGreaterThanOrEqual(1);
    await expect(replicator.drain(500)).rejects.toBeInstanceOf(ReplicationDrainTimeout);

    replicator.healRegion(EAST);
    await replicator.drain();
    expect(await captionIn(west, fromEast)).toBe('written in the cut region');
    expect(await captionIn(east, fromWest)).toBe('written while the peer was cut');
  }, 60_000);

  it('holds changes in both directions while the link is cut and delivers them after heal', async () => {
    // Prepare
    await replicator.drain();
    const fromEast = randomUUID();
    const fromWest = randomUUID();

    // Act
    replicator.cutLink();
    await putPhoto(east, fromEast, 'east during link cut');
    await putPhoto(west, fromWest, 'west during link cut');
    await sleep(1_500);

    // Assess
    expect(await captionIn(west, fromEast)).toBeNull();
    expect(await captionIn(east, fromWest)).toBeNull();
    expect(statOf(photosTable, EAST).pending).toBeGreaterThanOrEqual(1);
    expect(statOf(photosTable, WEST).pending).toBeGreaterThanOrEqual(1);
    expect(statOf(photosTable, EAST).oldestPendingAgeMs).toBeGreaterThan(0);

    replicator.healLink();
    await replicator.drain();
    expect(await captionIn(west, fromEast)).toBe('east during link cut');
    expect(await captionIn(east, fromWest)).toBe('west during link cut');
  }, 60_000);

  it('lets the last write win across a cut by when it was made, not when the cut healed', async () => {
    // Prepare
    await replicator.drain();
    const id = randomUUID();

    // Act
    replicator.cutRegion(EAST);
    await putPhoto(east, id, 'older, in the cut region');
    await sleep(300);
    await putPhoto(west, id, 'newer, in the serving region');
    await sleep(300);
    replicator.healRegion(EAST);
    await replicator.drain();

    // Assess
    expect(await captionIn(east, id)).toBe('newer, in the serving region');
    expect(await captionIn(west, id)).toBe('newer, in the serving region');
  }, 60_000);

  it('respects the delay setting', async () => {
    // Prepare
    await replicator.drain();
    const id = randomUUID();
    replicator.setDelay({ kind: 'fixed', ms: 4_000 });

    try {
      // Act
      await putPhoto(east, id, 'delayed');
      await sleep(1_000);
      const early = await captionIn(west, id);

      // Assess
      expect(early).toBeNull();
      expect(await eventually('the delayed item', async () => (await captionIn(west, id)) ?? undefined)).toBe('delayed');
      await replicator.drain();
      expect(statOf(photosTable, EAST).lastLagMs).toBeGreaterThanOrEqual(4_000);
    } finally {
      replicator.setLag(200);
    }
  }, 60_000);

  it('delivers items of one table independently: a slow key range lags while the rest of the table arrives', async () => {
    // Prepare
    await replicator.drain();
    const hot = `HOT${randomUUID().slice(0, 8)}`;
    replicator.slow({ target: photosTable, keyPrefix: `PHOTO#${hot}`, extraMs: 4_000 });
    try {
      // Act: the slow item is written first, then items of other partitions.
      await putPhoto(east, `${hot}-first`, 'in the hot partition');
      const others = [randomUUID(), randomUUID(), randomUUID()];
      for (const id of others) await putPhoto(east, id, 'elsewhere');

      // Assess: the later writes arrive while the earlier one is still pending.
      for (const id of others) await eventually(`item ${id} in us-west-2`, async () => (await captionIn(west, id)) ?? undefined);
      expect(await captionIn(west, `${hot}-first`)).toBeNull();
      expect(statOf(photosTable, EAST).pending).toBeGreaterThanOrEqual(1);
      expect(replicator.delays().slowRules).toEqual([
        expect.objectContaining({ target: photosTable, keyPrefix: `PHOTO#${hot}`, extraMs: 4_000 }),
      ]);
      expect(await eventually('the slow item', async () => (await captionIn(west, `${hot}-first`)) ?? undefined)).toBe(
        'in the hot partition',
      );
    } finally {
      replicator.clearSlow();
    }
    expect(replicator.delays().slowRules).toEqual([]);
  }, 60_000);

  it('slows S3 replication alone', async () => {
    // Prepare
    await replicator.drain();
    const key = `photos/${randomUUID()}.jpg`;
    const id = randomUUID();
    replicator.slow({ target: 's3', extraMs: 3_000 });
    try {
      // Act
      await east.objects.send(new PutObjectCommand({ Bucket: east.bucket, Key: key, Body: 'slow bytes', ContentType: 'image/jpeg' }));
      await putPhoto(east, id, 'fast item');

      // Assess
      await eventually('the item in us-west-2', async () => (await captionIn(west, id)) ?? undefined);
      expect(await objectExists(west, key)).toBe(false);
      expect(statOf(`bucket:${east.bucket}`, EAST).pending).toBe(1);
      await replicator.drain();
      expect(await objectIn(west, key)).toMatchObject({ body: 'slow bytes' });
    } finally {
      replicator.clearSlow();
    }
  }, 60_000);

  it('replicates objects both ways with content type and metadata, and deletes', async () => {
    // Prepare
    await replicator.drain();
    const outBefore = statOf(`bucket:${east.bucket}`, EAST);
    const backBefore = statOf(`bucket:${west.bucket}`, WEST);
    const eastKey = `photos/${randomUUID()}.jpg`;
    const westKey = `photos/${randomUUID()} copy.png`;

    // Act
    await east.objects.send(
      new PutObjectCommand({
        Bucket: east.bucket,
        Key: eastKey,
        Body: 'east bytes',
        ContentType: 'image/jpeg',
        Metadata: { owner: 'ana' },
      }),
    );
    await west.objects.send(new PutObjectCommand({ Bucket: west.bucket, Key: westKey, Body: 'west bytes', ContentType: 'image/png' }));

    // Assess: read once delivered (s3rver writes body and metadata separately, so a read racing
    // the copy could see half an object).
    await replicator.drain();
    expect(await objectIn(west, eastKey)).toEqual({ body: 'east bytes', contentType: 'image/jpeg', metadata: { owner: 'ana' } });
    expect(await objectIn(east, westKey)).toMatchObject({ body: 'west bytes', contentType: 'image/png' });

    // Act
    await east.objects.send(new DeleteObjectCommand({ Bucket: east.bucket, Key: westKey }));

    // Assess
    await eventually('the delete in us-west-2', async () => ((await objectExists(west, westKey)) ? undefined : true));
    await replicator.drain();
    const out = statOf(`bucket:${east.bucket}`, EAST);
    const back = statOf(`bucket:${west.bucket}`, WEST);
    expect({
      applied: out.applied - outBefore.applied,
      echoes: out.echoesSuppressed - outBefore.echoesSuppressed,
      pending: out.pending,
    }).toEqual({ applied: 2, echoes: 2, pending: 0 });
    expect({
      applied: back.applied - backBefore.applied,
      echoes: back.echoesSuppressed - backBefore.echoesSuppressed,
      pending: back.pending,
    }).toEqual({ applied: 1, echoes: 1, pending: 0 });
  }, 60_000);

  it('holds object changes while the link is cut', async () => {
    // Prepare
    await replicator.drain();
    const key = `photos/${randomUUID()}.jpg`;

    // Act
    replicator.cutLink();
    try {
      await west.objects.send(new PutObjectCommand({ Bucket: west.bucket, Key: key, Body: 'held', ContentType: 'image/jpeg' }));
      await sleep(1_000);

      // Assess
      expect(await objectExists(east, key)).toBe(false);
    } finally {
      replicator.healLink();
    }
    await replicator.drain();
    expect(await objectIn(east, key)).toMatchObject({ body: 'held', contentType: 'image/jpeg' });
  }, 60_000);

  it('says when every stream is read to its end while a delivery is still on its way (caughtUp), where a drain waits for it', async () => {
    // Prepare
    await replicator.drain();
    const id = randomUUID();
    replicator.slow({ target: photosTable, extraMs: 4_000 });
    try {
      await putPhoto(east, id, 'read, not yet delivered');

      // Act
      await replicator.caughtUp(10_000);

      // Assess: read and queued, not delivered; a drain from now still has to wait for it.
      expect(statOf(photosTable, EAST).pending).toBe(1);
      expect(await captionIn(west, id)).toBeNull();
      await expect(replicator.drain(500)).rejects.toBeInstanceOf(ReplicationDrainTimeout);
    } finally {
      replicator.clearSlow();
    }
    await replicator.drain();
    expect(await captionIn(west, id)).toBe('read, not yet delivered');
  }, 60_000);

  it('lets a delete win over the copy still on its way: the region that deleted never held the object', async () => {
    // Prepare: the object is written in us-east-1 and its copy is held by a cut link.
    await replicator.drain();
    const key = `photos/${randomUUID()}.jpg`;
    replicator.cutLink();
    try {
      await east.objects.send(
        new PutObjectCommand({ Bucket: east.bucket, Key: key, Body: 'deleted before it arrived', ContentType: 'image/jpeg' }),
      );
      await sleep(300);

      // Act: us-west-2 deletes it without holding it (on S3, a delete marker in a versioned bucket).
      await west.objects.send(new DeleteObjectCommand({ Bucket: west.bucket, Key: key }));
    } finally {
      replicator.healLink();
    }

    // Assess: the later delete wins in both regions; the held copy does not bring the object back.
    await replicator.drain();
    expect({ east: await objectExists(east, key), west: await objectExists(west, key) }).toEqual({ east: false, west: false });
  }, 60_000);

  // Last: it stops the replicator the other tests share, so that only the fresh one runs timers.
  it('leaves no timers behind after stop()', async () => {
    // Prepare
    await replicator.stop();
    // The stopped replicator's idle sockets keep a keep-alive timer for ~5 s; a baseline taken
    // while they linger would hide the fresh replicator's own timers.
    const before = await settledTimers();
    const fresh = replicatorFor();
    await fresh.start();
    await putPhoto(east, randomUUID(), 'last');
    await fresh.drain();
    expect(timersNow()).toBeGreaterThan(before);

    // Act
    await fresh.stop();

    // Assess: a leaked interval stays forever; a socket's keep-alive timer (HTTP clients and
    // s3rver keep idle connections ~5 s) goes away by itself, so allow it that long.
    const deadline = Date.now() + 7000;
    while (timersNow() > before && Date.now() < deadline) await sleep(200);
    expect(timersNow()).toBeLessThanOrEqual(before);
    await expect(fresh.drain()).rejects.toThrow('not running');
  }, 60_000);
});
