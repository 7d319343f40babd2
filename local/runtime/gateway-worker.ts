// The chaos gateways' TCP relaying (./gateway.ts), in a worker thread of its own: every DynamoDB,
// S3 and quorum call of the functions, and every cross-region call, passes through one of these
// doors, and relaying them on the runtime's main thread (socket reads, writes, per-chunk timers)
// was about a fifth of that thread under the drills' load. The faults in force live in memory
// shared with the main thread, read at every connection and every chunk, so a mode set there holds
// for everything relayed after `setMode` returns; the sockets already open are also closed at once
// by a message.
import net from 'node:net';
import { parentPort } from 'node:worker_threads';
import { later } from './faults';

export type GatewayCommand =
  | { type: 'start'; id: number; port?: number; target: number; host?: string; faults: SharedArrayBuffer }
  /** Closes the connections opened before the mode change numbered `generation`, not those after it. */
  | { type: 'destroyAll'; id: number; generation: number }
  | { type: 'stop'; id: number };

export type GatewayMessage =
  | { type: 'started'; id: number; port: number }
  | { type: 'failed'; id: number; message: string }
  | { type: 'stopped'; id: number };

/** Slots of the shared faults (Int32Array). */
export const FAULT_SLOTS = { mode: 0, delayMs: 1, direction: 2, generation: 3 } as const;
export const FAULT_SLOT_COUNT = 4;
export const MODE_CODES = { up: 0, refuse: 1, hang: 2 } as const;
export const DIRECTION_CODES = { both: 0, responses: 1 } as const;

interface Door {
  server: net.Server;
  /** Each open socket with the mode change it was opened under. */
  open: Map<net.Socket, number>;
}

function startDoor(command: Extract<GatewayCommand, { type: 'start' }>, doors: Map<number, Door>): void {
  const faults = new Int32Array(command.faults);
  const mode = () => Atomics.load(faults, FAULT_SLOTS.mode);
  const delayMs = () => Atomics.load(faults, FAULT_SLOTS.delayMs);
  const requestDelayMs = () => (Atomics.load(faults, FAULT_SLOTS.direction) === DIRECTION_CODES.both ? delayMs() : 0);
  const open = new Map<net.Socket, number>();
  const track = (socket: net.Socket) => {
    open.set(socket, Atomics.load(faults, FAULT_SLOTS.generation));
    socket.on('close', () => open.delete(socket));
  };
  const server = net.createServer((client) => {
    client.on('error', () => client.destroy());
    const now = mode();
    if (now === MODE_CODES.refuse) {
      client.resetAndDestroy();
      return;
    }
    track(client);
    if (now === MODE_CODES.hang) {
      client.pause();
      return;
    }
    const upstream = net.connect({ port: command.target, host: command.host ?? '127.0.0.1' });
    track(upstream);
    // A close follows the data it ends: a delayed answer is still delivered after its sender hung up.
    upstream.on('close', () => later(delayMs(), () => client.destroy()));
    client.on('close', () => later(requestDelayMs(), () => upstream.destroy()));
    upstream.on('error', () => later(delayMs(), () => client.destroy()));
    // Each chunk is held back by the delay in force when it arrives (order is kept: same delay).
    // Nothing is relayed once the door is not up, even before the message that closes it arrives.
    const forward = (from: net.Socket, to: net.Socket, isResponse: boolean) => {
      const delay = () => (isResponse ? delayMs() : requestDelayMs());
      from.on('data', (chunk) => {
        if (mode() !== MODE_CODES.up) {
          from.destroy();
          to.destroy();
          return;
        }
        later(delay(), () => mode() === MODE_CODES.up && to.writable && to.write(chunk));
      });
      from.on('end', () => setTimeout(() => to.end(), delay()));
    };
    forward(client, upstream, false);
    forward(upstream, client, true);
  });
  server.once('error', (error) =>
    parentPort?.postMessage({ type: 'failed', id: command.id, message: error.message } satisfies GatewayMessage),
  );
  server.listen(command.port ?? 0, '127.0.0.1', () => {
    doors.set(command.id, { server, open });
    const port = (server.address() as net.AddressInfo).port;
    parentPort?.postMessage({ type: 'started', id: command.id, port } satisfies GatewayMessage);
  });
}

if (parentPort) {
  const doors = new Map<number, Door>();
  parentPort.on('message', (command: GatewayCommand) => {
    if (command.type === 'start') startDoor(command, doors);
    else if (command.type === 'destroyAll') {
      // A connection accepted after the change (the message may come after it) keeps the new mode's fate.
      for (const [socket, generation] of doors.get(command.id)?.open ?? []) if (generation < command.generation) socket.destroy();
    } else if (command.type === 'stop') {
      const door = doors.get(command.id);
      doors.delete(command.id);
      if (!door) {
        parentPort?.postMessage({ type: 'stopped', id: command.id } satisfies GatewayMessage);
        return;
      }
      for (const socket of door.open.keys()) socket.destroy();
      door.server.close(() => parentPort?.postMessage({ type: 'stopped', id: command.id } satisfies GatewayMessage));
    }
  });
}
