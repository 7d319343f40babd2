import net from 'node:net';
import { DoorFaults } from '../../../local/runtime/faults';

describe('the faults of a door', () => {
  it('delays requests and answers on a slow network, answers alone on slow answers', () => {
    // Prepare
    const faults = new DoorFaults();

    // Act / Assess
    faults.setDelay(300);
    expect([faults.requestDelayMs(), faults.responseDelayMs()]).toEqual([300, 300]);
    faults.setDelay(300, 'responses');
    expect([faults.requestDelayMs(), faults.responseDelayMs()]).toEqual([0, 300]);
    faults.setDelay(-5);
    expect(faults.state()).toEqual({ mode: 'up', delayMs: 0, delayDirection: 'both' });
  });

  it('breaks the connections it holds when an outage starts, and refuses new ones', () => {
    // Prepare: a tracked socket (never connected: no I/O)
    const faults = new DoorFaults();
    const held = new net.Socket();
    expect(faults.accept(held)).toBe(true);

    // Act
    faults.setMode('refuse');

    // Assess
    expect(held.destroyed).toBe(true);
    const late = new net.Socket();
    // A reset of a socket that never connected reports ERR_SOCKET_CLOSED; the gateway listens for errors too.
    late.on('error', () => {});
    expect(faults.accept(late)).toBe(false);
    expect(late.destroyed).toBe(true);
    expect(faults.refusing()).toBe(true);
  });

  it('keeps its connections while up, and hangs new ones in hang mode', () => {
    // Prepare
    const faults = new DoorFaults();
    const socket = new net.Socket();
    faults.accept(socket);

    // Act
    faults.setMode('up');
    const upKept = !socket.destroyed;
    faults.setMode('hang');

    // Assess
    expect(upKept).toBe(true);
    expect(socket.destroyed).toBe(true);
    expect(faults.hanging()).toBe(true);
    expect(faults.accept(new net.Socket())).toBe(true);
  });
});
