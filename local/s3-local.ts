// The S3 stand-in of one region: s3rver behind a layer that checks requests as S3 does
// (./s3-server.ts), each in a worker thread of its own (./s3-worker.ts). Under load the main
// thread also runs the gateway doors, the quorum emulation and the replicator; with S3 on it,
// the probes' bucket checks timed out and photo replication lagged by seconds (issue 17).
// Chaos acts on the TCP doors in front of this server (local/runtime/gateway.ts, main thread),
// never on the server itself, so moving it changed no fault.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { cachedWorkerScript, WORKER_EXEC_ARGV } from './runtime/worker-script';
import { PERMISSIVE_CORS, type S3CorsRule, type S3ObjectEvent } from './s3-server';
import type { S3WorkerCommand, S3WorkerInput, S3WorkerMessage } from './s3-worker';

export { corsXml, PERMISSIVE_CORS, S3_LOCAL_CREDENTIALS, type S3CorsRule, type S3ObjectEvent } from './s3-server';

export type S3ObjectListener = (event: S3ObjectEvent) => void;

export interface S3Local {
  endpoint: string;
  port: number;
  buckets: string[];
  /** Where s3rver keeps the objects. */
  dataDir: string;
  /**
   * Subscribes to every object creation and removal in any bucket; returns the unsubscribe
   * function. Listeners are called on the caller's thread, before the S3 response that caused
   * the change is sent.
   */
  onObjectEvent(listener: S3ObjectListener): () => void;
  stop(): Promise<void>;
}

export interface StartS3LocalOptions {
  port?: number;
  /** The region of these buckets: signatures must be scoped to it, as S3 requires. Default: any region. */
  region?: string;
  /** Kept after stop() (the caller owns it). Default: a fresh temporary directory that stop() removes. */
  dataDir?: string;
  buckets: string[];
  /** Default PERMISSIVE_CORS. */
  cors?: S3CorsRule[];
  /** Where a worker that fails after it started is reported. Default: standard error. */
  log?(line: string): void;
}

/** The S3 stand-in's worker could not start (its port taken, its script not built…). */
export class S3LocalStartFailed extends Error {
  override readonly name = 'S3LocalStartFailed';
}

/** How long stop() lets the worker close its servers before it is terminated anyway. */
const STOP_GRACE_MS = 10_000;

/**
 * The worker's script, bundled as CommonJS the way the Lambda workers are (local/runtime/lambda-pool.ts),
 * so it loads under tsx, jest and plain node alike; npm packages stay outside the bundle and load
 * from node_modules. Reused from the shared bundle cache while its sources are unchanged.
 */
const workerScript = () => cachedWorkerScript(path.join(__dirname, 's3-worker.ts'), 's3-worker');

/**
 * Starts s3rver (a filesystem-backed S3 stand-in) with the given buckets, each with CORS so a
 * browser can PUT to presigned URLs, behind a layer that checks requests as S3 does, in a worker
 * thread of its own. Clients need `forcePathStyle: true` and S3_LOCAL_CREDENTIALS (local/clients.ts builds them).
 *
 * Object events keep their order with the answers: the worker posts each change to this thread
 * and holds the answer of the request that made it until this thread has called the listeners
 * and acknowledged it. S3 replication itself is asynchronous ("Replication enables automatic,
 * asynchronous copying of objects across Amazon S3 buckets", Amazon S3 User Guide, Replicating
 * objects), and the replicator delivers changes later anyway; the ordering is for its own
 * bookkeeping: it recognises its writes' echoes by being told of them before its PUT returns
 * (local/replication/bucket-writer.ts).
 */
export async function startS3Local(options: StartS3LocalOptions): Promise<S3Local> {
  const ownsDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-s3-'));
  fs.mkdirSync(dataDir, { recursive: true });
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const name = `S3 stand-in${options.region ? ` (${options.region})` : ''}`;
  const removeDir = () => {
    if (ownsDir) fs.rmSync(dataDir, { recursive: true, force: true });
  };

  const listeners = new Set<S3ObjectListener>();
  const emit = (event: S3ObjectEvent): void => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // A failing subscriber must not turn a successful S3 request into an error.
      }
    }
  };

  let worker: Worker;
  try {
    const input: S3WorkerInput = {
      port: options.port ?? 0,
      dataDir,
      buckets: [...options.buckets],
      cors: options.cors ?? PERMISSIVE_CORS,
      ...(options.region ? { region: options.region } : {}),
    };
    worker = new Worker(await workerScript(), { workerData: input, name, execArgv: WORKER_EXEC_ARGV });
  } catch (error) {
    removeDir();
    throw new S3LocalStartFailed(`The ${name} could not start: ${(error as Error).message}`, { cause: error });
  }
  const command = (message: S3WorkerCommand) => worker.postMessage(message);

  let state: 'starting' | 'running' | 'stopping' | 'stopped' = 'starting';
  let stoppedByWorker: (() => void) | undefined;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));

  const port = await new Promise<number>((resolve, reject) => {
    const fail = (why: string) => reject(new S3LocalStartFailed(`The ${name} could not start: ${why}`));
    worker.on('message', (message: S3WorkerMessage) => {
      switch (message.type) {
        case 'event':
          emit(message.event);
          command({ type: 'ack', seq: message.seq });
          return;
        case 'ready':
          state = 'running';
          resolve(message.port);
          return;
        case 'failed':
          fail(message.error);
          return;
        case 'stopped':
          stoppedByWorker?.();
          return;
      }
    });
    worker.on('error', (error) => {
      if (state === 'starting') fail(error.stack ?? error.message);
      else log(`${name}: its worker failed: ${error.stack ?? error.message}`);
    });
    worker.once('exit', (code) => {
      if (state === 'starting') fail(`its worker exited with code ${code}`);
      else if (state === 'running') log(`${name}: its worker exited with code ${code}; S3 requests to it are refused from now on`);
      state = 'stopped';
    });
  }).catch(async (error: unknown) => {
    await worker.terminate();
    removeDir();
    throw error;
  });

  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    buckets: [...options.buckets],
    dataDir,
    onObjectEvent(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    stop() {
      stopping ??= (async () => {
        listeners.clear();
        if (state === 'running') {
          state = 'stopping';
          // The worker closes its servers (and waits for a cut-off request's last file write);
          // a worker that does not answer in time is terminated all the same.
          let grace: NodeJS.Timeout | undefined;
          await Promise.race([
            new Promise<void>((resolve) => {
              stoppedByWorker = resolve;
              command({ type: 'stop' });
            }),
            exited,
            new Promise<void>((resolve) => {
              grace = setTimeout(resolve, STOP_GRACE_MS);
            }),
          ]);
          clearTimeout(grace);
        }
        await worker.terminate();
        await exited;
        removeDir();
      })();
      return stopping;
    },
  };
}
