import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { DelayDirection, FaultMode, FaultState } from './faults';
import { DIRECTION_CODES, FAULT_SLOT_COUNT, FAULT_SLOTS, type GatewayCommand, type GatewayMessage, MODE_CODES } from './gateway-worker';
import { cachedWorkerScript, WORKER_EXEC_ARGV } from './worker-script';

export interface Gateway {
  port: number;
  setMode(mode: FaultMode): void;
  /** Adds latency to every chunk in each direction (a slow dependency), or to the answers alone. */
  setDelay(ms: number, direction?: DelayDirection): void;
  state(): FaultState;
  stop(): Promise<void>;
}

/** The one worker thread that relays every gateway of this process (./gateway-worker.ts). */
interface Host {
  worker: Worker;
  doors: number;
  waiting: Map<number, { resolve(message: GatewayMessage): void; reject(error: Error): void }>;
}

let host: Promise<Host> | null = null;
let current: Host | null = null;
let nextId = 1;

function acquireHost(): Promise<Host> {
  host ??= (async () => {
    const script = await cachedWorkerScript(path.join(__dirname, 'gateway-worker.ts'), 'gateway-worker');
    const worker = new Worker(script, { execArgv: WORKER_EXEC_ARGV });
    const started: Host = { worker, doors: 0, waiting: new Map() };
    current = started;
    worker.on('message', (message: GatewayMessage) => {
      const waiter = started.waiting.get(message.id);
      started.waiting.delete(message.id);
      waiter?.resolve(message);
    });
    const fail = (error: Error) => {
      for (const waiter of started.waiting.values()) waiter.reject(error);
      started.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`The gateways' worker thread exited (code ${code})`)));
    return started;
  })();
  return host;
}

function ask(h: Host, command: GatewayCommand): Promise<GatewayMessage> {
  return new Promise((resolve, reject) => {
    h.waiting.set(command.id, { resolve, reject });
    h.worker.postMessage(command);
  });
}

/** One door fewer; the last one ends the worker (a later door starts a new one). */
async function release(h: Host): Promise<void> {
  h.doors -= 1;
  if (h.doors > 0) return;
  if (current === h) {
    current = null;
    host = null;
  }
  await h.worker.terminate();
}

const MODES = Object.keys(MODE_CODES) as FaultMode[];

/**
 * A TCP front door for one regional endpoint (DynamoDB, S3). Chaos controls act here, so
 * every client, in-region or cross-region, sees the same outage: refused connections, or
 * connections that hang with no answer, as when a region's network goes dark. The relaying runs
 * in a worker thread (./gateway-worker.ts); the faults are set here, in memory the worker reads at
 * every connection and chunk, so they hold for everything relayed once a setter returns.
 */
export async function startGateway(options: { port?: number; target: number; host?: string }): Promise<Gateway> {
  const h = await acquireHost();
  const id = nextId++;
  const shared = new SharedArrayBuffer(FAULT_SLOT_COUNT * Int32Array.BYTES_PER_ELEMENT);
  const faults = new Int32Array(shared);
  // Counted from the start, so that the last door of another runtime stopping meanwhile does not end the worker.
  h.doors += 1;
  const answer = await ask(h, {
    type: 'start',
    id,
    ...(options.port !== undefined ? { port: options.port } : {}),
    target: options.target,
    ...(options.host !== undefined ? { host: options.host } : {}),
    faults: shared,
  });
  if (answer.type !== 'started') {
    await release(h);
    throw new Error(`Gateway to port ${options.target} did not start: ${answer.type === 'failed' ? answer.message : answer.type}`);
  }
  let stopped: Promise<void> | null = null;
  return {
    port: answer.port,
    setMode(next) {
      // The mode and its number change together here: a connection accepted from now on records
      // the new number, and only older ones are closed by the message.
      const generation = Atomics.add(faults, FAULT_SLOTS.generation, 1) + 1;
      Atomics.store(faults, FAULT_SLOTS.mode, MODE_CODES[next]);
      // Existing keep-alive connections must see the outage too.
      if (next !== 'up') h.worker.postMessage({ type: 'destroyAll', id, generation } satisfies GatewayCommand);
    },
    setDelay(ms, direction = 'both') {
      Atomics.store(faults, FAULT_SLOTS.delayMs, Math.max(0, Math.round(ms)));
      Atomics.store(faults, FAULT_SLOTS.direction, DIRECTION_CODES[direction]);
    },
    state() {
      const direction = Atomics.load(faults, FAULT_SLOTS.direction) === DIRECTION_CODES.both ? 'both' : 'responses';
      return {
        mode: MODES[Atomics.load(faults, FAULT_SLOTS.mode)] as FaultMode,
        delayMs: Atomics.load(faults, FAULT_SLOTS.delayMs),
        delayDirection: direction,
      };
    },
    stop() {
      stopped ??= (async () => {
        await ask(h, { type: 'stop', id });
        await release(h);
      })();
      return stopped;
    },
  };
}
