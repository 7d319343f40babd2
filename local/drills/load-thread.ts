// The drills' load in a worker thread (./load-worker.ts), behind the same fields as the
// LoadGenerator (./load.ts). In the runtime's own thread the client's work (fetch, timers, the
// region client's bookkeeping) shared the event loop with the doors, the quorum emulation and the
// replicator: at 80 requests/s that thread saturated, the client's own timeouts fired on answers
// it had not yet read, and its retries kept the runtime overloaded (`npm run bench -- --load`).
// On AWS the clients are elsewhere; here they get a thread of their own. What the caller reads
// (attempts, acked writes, samples) arrives every 50 ms; stop() brings it up to date.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { StateView } from '../../web/src/state';
import { cachedWorkerScript, WORKER_EXEC_ARGV } from '../runtime/worker-script';
import type { AckedWrite, Attempt, LoadOptions, StateSample } from './load';
import type { LoadWorkerCommand, LoadWorkerMessage } from './load-worker';

/** What the drills read of a running load (the LoadGenerator's fields). */
export interface Load {
  readonly attempts: Attempt[];
  readonly acked: AckedWrite[];
  readonly samples: StateSample[];
  readonly abandoned: Array<{ key: string; firstTryAt: number; lastOutcome: string }>;
  readonly current: StateView | null;
  start(): void;
  stop(): Promise<void>;
}

const workerScript = () => cachedWorkerScript(path.join(__dirname, 'load-worker.ts'), 'load-worker');

export async function startLoadThread(options: LoadOptions): Promise<Load> {
  const worker = new Worker(await workerScript(), { workerData: options, execArgv: WORKER_EXEC_ARGV });
  const attempts: Attempt[] = [];
  const acked: AckedWrite[] = [];
  const samples: StateSample[] = [];
  const abandoned: Load['abandoned'] = [];
  let current: StateView | null = null;
  let failure: Error | null = null;
  let stopped: (() => void) | null = null;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const command = (c: LoadWorkerCommand) => worker.postMessage(c);

  worker.on('message', (message: LoadWorkerMessage) => {
    if (message.type === 'batch') {
      attempts.push(...message.attempts);
      acked.push(...message.acked);
      samples.push(...message.samples);
      abandoned.push(...message.abandoned);
      current = message.current;
    } else if (message.type === 'stopped') stopped?.();
  });
  worker.on('error', (error) => {
    failure = error;
  });

  return {
    attempts,
    acked,
    samples,
    abandoned,
    get current() {
      return current;
    },
    start: () => command({ type: 'start' }),
    async stop() {
      const done = new Promise<void>((resolve) => {
        stopped = resolve;
      });
      command({ type: 'stop' });
      await Promise.race([done, exited]);
      await worker.terminate();
      if (failure) throw new Error(`The drill's load thread failed: ${(failure as Error).message}`);
    },
  };
}
