// One region's S3 stand-in in a worker thread of its own (started by startS3Local in
// ./s3-local.ts), so that reading bodies, checking signatures and payload hashes and s3rver's
// own work do not compete with the runtime's main thread (issue 17).
//
// Messages, main thread → worker: { type: 'ack', seq } (every change up to seq has been taken),
// { type: 'stop' }. Worker → main thread: { type: 'ready', port }, { type: 'failed', error },
// { type: 'event', seq, event }, { type: 'stopped' }.
import { parentPort, workerData } from 'node:worker_threads';
import { type S3ObjectEvent, type S3Server, type S3ServerOptions, startS3Server } from './s3-server';

export type S3WorkerInput = S3ServerOptions;
export type S3WorkerCommand = { type: 'ack'; seq: number } | { type: 'stop' };
export type S3WorkerMessage =
  | { type: 'ready'; port: number }
  | { type: 'failed'; error: string }
  | { type: 'event'; seq: number; event: S3ObjectEvent }
  | { type: 'stopped' };

const port = parentPort;
if (!port) throw new Error('local/s3-worker.ts runs as a worker thread (startS3Local starts it)');
const send = (message: S3WorkerMessage) => port.postMessage(message);

// Changes are numbered as s3rver stores them; the main thread acknowledges them in order.
let published = 0;
let acknowledged = 0;
const held: Array<{ seq: number; release: () => void }> = [];

const hooks = {
  publish(event: S3ObjectEvent): void {
    published += 1;
    send({ type: 'event', seq: published, event });
  },
  /** An answer waits until the main thread has taken every change published before it arrived. */
  beforeAnswer(): Promise<void> | undefined {
    if (acknowledged >= published) return undefined;
    const seq = published;
    return new Promise<void>((release) => held.push({ seq, release }));
  },
};

let server: S3Server | undefined;
port.on('message', (command: S3WorkerCommand) => {
  if (command.type === 'ack') {
    acknowledged = Math.max(acknowledged, command.seq);
    const due = held.filter((h) => h.seq <= acknowledged);
    held.splice(0, held.length, ...held.filter((h) => h.seq > acknowledged));
    for (const h of due) h.release();
  } else if (command.type === 'stop') {
    void (server?.stop() ?? Promise.resolve()).finally(() => send({ type: 'stopped' }));
  }
});

startS3Server(workerData as S3WorkerInput, hooks).then(
  (started) => {
    server = started;
    send({ type: 'ready', port: started.port });
  },
  (error: Error) => send({ type: 'failed', error: error?.stack ?? String(error) }),
);
