// The drills' load generator (./load.ts) in a worker thread of its own, started by
// ./load-thread.ts. What it records reaches the caller in batches every FLUSH_MS.
//
// Caller → worker: { type: 'start' }, { type: 'stop' }.
// Worker → caller: { type: 'batch', ... } (new entries since the last batch, and the view),
// { type: 'stopped' } (after a last batch).
import { parentPort, workerData } from 'node:worker_threads';
import { LoadGenerator, type LoadOptions } from './load';

export type LoadWorkerCommand = { type: 'start' } | { type: 'stop' };
export interface LoadBatch {
  type: 'batch';
  attempts: LoadGenerator['attempts'];
  acked: LoadGenerator['acked'];
  samples: LoadGenerator['samples'];
  abandoned: LoadGenerator['abandoned'];
  current: LoadGenerator['current'];
}
export type LoadWorkerMessage = LoadBatch | { type: 'stopped' };

const FLUSH_MS = 50;
const port = parentPort;
if (!port) throw new Error('local/drills/load-worker.ts runs as a worker thread (startLoadThread starts it)');
const send = (message: LoadWorkerMessage) => port.postMessage(message);

const load = new LoadGenerator(workerData as LoadOptions);
const sent = { attempts: 0, acked: 0, samples: 0, abandoned: 0 };
function flush(): void {
  const batch: LoadBatch = {
    type: 'batch',
    attempts: load.attempts.slice(sent.attempts),
    acked: load.acked.slice(sent.acked),
    samples: load.samples.slice(sent.samples),
    abandoned: load.abandoned.slice(sent.abandoned),
    current: load.current,
  };
  sent.attempts += batch.attempts.length;
  sent.acked += batch.acked.length;
  sent.samples += batch.samples.length;
  sent.abandoned += batch.abandoned.length;
  send(batch);
}

let timer: ReturnType<typeof setInterval> | undefined;
port.on('message', (command: LoadWorkerCommand) => {
  if (command.type === 'start') {
    load.start();
    timer = setInterval(flush, FLUSH_MS);
  } else if (command.type === 'stop') {
    void load.stop().then(() => {
      clearInterval(timer);
      flush();
      send({ type: 'stopped' });
    });
  }
});
