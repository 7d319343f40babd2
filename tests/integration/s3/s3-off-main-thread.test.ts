// The S3 stand-in runs in a worker thread of its own (local/s3-local.ts, issue 17): it serves,
// reads and stores bodies while the main thread is busy (here: blocked outright, which no timing
// of a busy machine can fake), yet the answer to a change waits until the main thread has taken
// the change's object event. The client is a worker thread too, so that it runs while this
// thread is blocked.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { localS3Client } from '../../../local/clients';
import { type S3Local, S3LocalStartFailed, type S3ObjectEvent, startS3Local } from '../../../local/s3-local';

const REGION = 'us-east-1';
const BUCKET = 'off-main-thread-test';
/** Long enough for one request on a loaded 2-core machine; only reached when the behaviour is wrong. */
const BLOCK_LIMIT_MS = 20_000;

// Slots of the shared flags: GO set by this thread, DONE and STATUS by the client.
const GO = 0;
const DONE = 1;
const STATUS = 2;

/** Runs one HTTP request from a worker thread once GO is set; sets DONE (and STATUS) when the whole answer has arrived. */
function startClient(request: { url: string; method: 'GET' | 'PUT'; size?: number }) {
  const shared = new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT);
  const flags = new Int32Array(shared);
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    const http = require('node:http');
    const flags = new Int32Array(workerData.shared);
    const body = workerData.method === 'PUT' ? Buffer.alloc(workerData.size, 7) : undefined;
    parentPort.postMessage({ ready: true });
    Atomics.wait(flags, ${GO}, 0);
    const req = http.request(workerData.url, { method: workerData.method }, (res) => {
      let bytes = 0;
      res.on('data', (chunk) => { bytes += chunk.length; });
      res.on('end', () => {
        Atomics.store(flags, ${STATUS}, res.statusCode);
        Atomics.store(flags, ${DONE}, 1);
        Atomics.notify(flags, ${DONE});
        parentPort.postMessage({ status: res.statusCode, bytes });
      });
    });
    req.on('error', (error) => parentPort.postMessage({ error: error.message }));
    req.end(body);
  `;
  const worker = new Worker(code, { eval: true, workerData: { shared, ...request } });
  const ready = new Promise<void>((resolve) => worker.once('message', () => resolve()));
  type Answer = { status?: number; bytes?: number; error?: string };
  const answered = new Promise<Answer>((resolve) =>
    worker.on('message', (m: Answer & { ready?: boolean }) => {
      if (!m.ready) resolve(m);
    }),
  );
  return {
    flags,
    ready,
    answered,
    go() {
      Atomics.store(flags, GO, 1);
      Atomics.notify(flags, GO);
    },
    stop: () => worker.terminate(),
  };
}

/** Blocks this thread (no event loop turns) until `done()` or BLOCK_LIMIT_MS; whether done() came true. */
function blockUntil(done: () => boolean): boolean {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + BLOCK_LIMIT_MS;
  while (Date.now() < deadline) {
    if (done()) return true;
    Atomics.wait(pause, 0, 0, 20);
  }
  return done();
}

describe('the S3 stand-in off the main thread', () => {
  let s3: S3Local;
  const client = () => localS3Client(s3.endpoint, REGION);

  beforeAll(async () => {
    s3 = await startS3Local({ buckets: [BUCKET], region: REGION });
  }, 60_000);

  afterAll(async () => {
    await s3?.stop();
  }, 30_000);

  it('serves a large GET while the main thread is blocked', async () => {
    const size = 8 * 1024 * 1024;
    const s3Client = client();
    await s3Client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'large-get', Body: Buffer.alloc(size, 3) }));
    const url = await getSignedUrl(s3Client, new GetObjectCommand({ Bucket: BUCKET, Key: 'large-get' }), { expiresIn: 300 });
    s3Client.destroy();
    const get = startClient({ url, method: 'GET' });
    try {
      await get.ready;
      get.go();
      const servedWhileBlocked = blockUntil(() => Atomics.load(get.flags, DONE) === 1);
      expect(servedWhileBlocked).toBe(true);
      expect(Atomics.load(get.flags, STATUS)).toBe(200);
      await expect(get.answered).resolves.toEqual({ status: 200, bytes: size });
    } finally {
      await get.stop();
    }
  }, 60_000);

  it('stores a large PUT while the main thread is blocked, and answers only after this thread took its object event', async () => {
    const size = 16 * 1024 * 1024;
    const key = 'large-put';
    const s3Client = client();
    const url = await getSignedUrl(s3Client, new PutObjectCommand({ Bucket: BUCKET, Key: key }), { expiresIn: 300 });
    s3Client.destroy();
    const put = startClient({ url, method: 'PUT', size });
    const seen: Array<{ event: S3ObjectEvent; answeredYet: number }> = [];
    const off = s3.onObjectEvent((event) => {
      if (event.key === key) seen.push({ event, answeredYet: Atomics.load(put.flags, DONE) });
    });
    try {
      await put.ready;
      put.go();
      // s3rver writes the metadata after the body, just before it reports the change.
      const metadata = path.join(s3.dataDir, BUCKET, `${key}._S3rver_metadata.json`);
      const storedWhileBlocked = blockUntil(() => fs.existsSync(metadata));
      expect(storedWhileBlocked).toBe(true);
      // Still blocked: the answer cannot go out before this thread has taken the event.
      expect(Atomics.wait(put.flags, DONE, 0, 300)).toBe('timed-out');
      expect(seen).toEqual([]);

      await expect(put.answered).resolves.toEqual({ status: 200, bytes: 0 });
      expect(seen).toHaveLength(1);
      expect(seen[0]?.answeredYet).toBe(0);
      expect(seen[0]?.event).toMatchObject({
        bucket: BUCKET,
        key,
        kind: 'created',
        size,
        eTag: createHash('md5').update(Buffer.alloc(size, 7)).digest('hex'),
      });
    } finally {
      off();
      await put.stop();
    }
  }, 60_000);

  it('answers a GET while a PUT waits for this thread to take its object event', async () => {
    const s3Client = client();
    await s3Client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'read-meanwhile', Body: 'already there' }));
    const putUrl = await getSignedUrl(s3Client, new PutObjectCommand({ Bucket: BUCKET, Key: 'written-meanwhile' }), { expiresIn: 300 });
    const getUrl = await getSignedUrl(s3Client, new GetObjectCommand({ Bucket: BUCKET, Key: 'read-meanwhile' }), { expiresIn: 300 });
    s3Client.destroy();
    const put = startClient({ url: putUrl, method: 'PUT', size: 1024 });
    const get = startClient({ url: getUrl, method: 'GET' });
    try {
      await Promise.all([put.ready, get.ready]);
      put.go();
      const metadata = path.join(s3.dataDir, BUCKET, 'written-meanwhile._S3rver_metadata.json');
      expect(blockUntil(() => fs.existsSync(metadata))).toBe(true);
      get.go();
      // A read changes nothing: it is not held behind the PUT's unacknowledged change.
      expect(blockUntil(() => Atomics.load(get.flags, DONE) === 1)).toBe(true);
      expect(Atomics.load(get.flags, STATUS)).toBe(200);
      expect(Atomics.load(put.flags, DONE)).toBe(0);
      await expect(put.answered).resolves.toEqual({ status: 200, bytes: 0 });
    } finally {
      await Promise.all([put.stop(), get.stop()]);
    }
  }, 60_000);

  it('reports a removal before the DELETE answer', async () => {
    const s3Client = client();
    await s3Client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'to-remove', Body: 'x' }));
    let answered = false;
    const removals: boolean[] = [];
    const off = s3.onObjectEvent((event) => {
      if (event.key === 'to-remove' && event.kind === 'removed') removals.push(answered);
    });
    try {
      await s3Client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'to-remove' }));
      answered = true;
      expect(removals).toEqual([false]);
    } finally {
      off();
      s3Client.destroy();
    }
  }, 30_000);

  it('reports a delete of a key it does not hold, and each key of a multi-object delete, once', async () => {
    const s3Client = client();
    await s3Client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'held & kept?', Body: 'x' }));
    const removed: string[] = [];
    const off = s3.onObjectEvent((event) => {
      if (event.kind === 'removed') removed.push(event.key);
    });
    try {
      await s3Client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'never-written' }));
      await s3Client.send(
        new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'held & kept?' }, { Key: 'also <never> written' }] } }),
      );
      expect(removed).toEqual(['never-written', 'held & kept?', 'also <never> written']);
    } finally {
      off();
      s3Client.destroy();
    }
  }, 30_000);
});

describe('starting and stopping the S3 stand-in', () => {
  it('stop() ends the worker: the port refuses connections and the temporary folder is gone', async () => {
    const s3 = await startS3Local({ buckets: [BUCKET], region: REGION });
    const s3Client = localS3Client(s3.endpoint, REGION);
    await s3Client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'v' }));
    s3Client.destroy();
    expect(fs.existsSync(s3.dataDir)).toBe(true);
    await s3.stop();
    await s3.stop();
    expect(fs.existsSync(s3.dataDir)).toBe(false);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(s3.port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  }, 60_000);

  it('keeps a folder the caller owns', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-s3-owned-'));
    try {
      const s3 = await startS3Local({ buckets: [BUCKET], dataDir });
      await s3.stop();
      expect(fs.existsSync(dataDir)).toBe(true);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('fails with S3LocalStartFailed on a port in use, leaving no temporary folder behind', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', () => resolve()));
    const port = (taken.address() as net.AddressInfo).port;
    // A temporary directory of this test's own: other processes make switchyard-s3-* folders too.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-s3-start-'));
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      await expect(startS3Local({ buckets: [BUCKET], port })).rejects.toBeInstanceOf(S3LocalStartFailed);
      expect(fs.readdirSync(tmp)).toEqual([]);
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
      fs.rmSync(tmp, { recursive: true, force: true });
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  }, 60_000);
});
