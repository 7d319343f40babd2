import type net from 'node:net';

export type FaultMode = 'up' | 'refuse' | 'hang';
/**
 * Which way a delay applies: `both` is a slow network (a request arrives late); `responses` is a
 * slow answer (the dependency acts at once, the caller hears of it late: a caller that goes on to
 * its next call is held up between the two, as by a slow dependency or a long pause).
 */
export type DelayDirection = 'both' | 'responses';

export interface FaultState {
  mode: FaultMode;
  delayMs: number;
  delayDirection: DelayDirection;
}

/** Runs `fn` after `ms`, or at once when there is no delay (so that order is kept without a timer). */
export function later(ms: number, fn: () => void): void {
  if (ms > 0) setTimeout(fn, ms);
  else fn();
}

/**
 * The faults chaos sets on one door of a region (a TCP gateway or the HTTP API): refused
 * connections, connections that hang with no answer (a region's network gone dark), and latency,
 * on all traffic or on the answers alone. It keeps the door's open sockets, so that an outage
 * reaches existing keep-alive connections too.
 */
export class DoorFaults {
  private mode: FaultMode = 'up';
  private delayMs = 0;
  private delayDirection: DelayDirection = 'both';
  private readonly open = new Set<net.Socket>();

  /**
   * A new connection under the faults in force: false when it is refused (reset, as by a closed
   * port); otherwise it is tracked and true.
   */
  accept(socket: net.Socket): boolean {
    if (this.mode === 'refuse') {
      socket.resetAndDestroy();
      return false;
    }
    this.track(socket);
    return true;
  }

  /** Another socket of this door (e.g. its own upstream connection), broken by an outage too. */
  track(socket: net.Socket): void {
    this.open.add(socket);
    socket.on('close', () => this.open.delete(socket));
  }

  refusing(): boolean {
    return this.mode === 'refuse';
  }

  /** The door takes the connection and never answers. */
  hanging(): boolean {
    return this.mode === 'hang';
  }

  setMode(next: FaultMode): void {
    this.mode = next;
    // Existing keep-alive connections must see the outage too.
    if (next !== 'up') this.destroyAll();
  }

  setDelay(ms: number, direction: DelayDirection = 'both'): void {
    this.delayMs = Math.max(0, ms);
    this.delayDirection = direction;
  }

  /** The delay in force for what the caller sends: none when only the answers are slowed. */
  requestDelayMs(): number {
    return this.delayDirection === 'both' ? this.delayMs : 0;
  }

  /** The delay in force for what the caller hears. */
  responseDelayMs(): number {
    return this.delayMs;
  }

  state(): FaultState {
    return { mode: this.mode, delayMs: this.delayMs, delayDirection: this.delayDirection };
  }

  destroyAll(): void {
    for (const socket of this.open) socket.destroy();
  }
}
