// The region doors' outages over real sockets: the relaying runs in a worker thread, and a mode set
// on the main thread must hold for the very next connection and chunk, with no wait in between.
import net from 'node:net';
import { type Gateway, startGateway } from '../../../local/runtime/gateway';

/** Connects and sends `text`; resolves with what came back, or the way the connection ended. */
function exchange(port: number, text: string): Promise<{ echoed: string; ended: 'answered' | 'refused' | 'closed' | 'silent' }> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let echoed = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ echoed, ended: 'silent' });
    }, 500);
    socket.on('connect', () => socket.write(text));
    socket.on('data', (chunk) => {
      echoed += chunk.toString();
      if (echoed === text) {
        clearTimeout(timer);
        socket.end();
        resolve({ echoed, ended: 'answered' });
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ echoed, ended: error.code === 'ECONNREFUSED' || error.code === 'ECONNRESET' ? 'refused' : 'closed' });
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ echoed, ended: echoed === text ? 'answered' : 'closed' });
    });
  });
}

describe('a region door’s outages', () => {
  let echo: net.Server;
  let gateway: Gateway;

  beforeAll(async () => {
    echo = net.createServer((socket) => socket.on('data', (chunk) => socket.write(chunk)));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    gateway = await startGateway({ target: (echo.address() as net.AddressInfo).port });
  });
  afterAll(async () => {
    await gateway.stop();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });
  afterEach(() => gateway.setMode('up'));

  it('relays while up', async () => {
    expect(await exchange(gateway.port, 'hello')).toEqual({ echoed: 'hello', ended: 'answered' });
  });

  it('refuses the next connection as soon as setMode returns', async () => {
    gateway.setMode('refuse');
    expect(gateway.state().mode).toBe('refuse');
    expect((await exchange(gateway.port, 'hello')).ended).toBe('refused');
  });

  it('hangs new connections, and relays nothing more on one already open', async () => {
    // A connection the door has taken and relays (one echo through it), before the outage
    const open = net.connect({ port: gateway.port, host: '127.0.0.1' });
    const closed = new Promise<void>((resolve) => open.once('close', () => resolve()));
    open.on('error', () => undefined);
    let heard = '';
    const echoed = new Promise<void>((resolve) =>
      open.on('data', (chunk) => {
        heard += chunk.toString();
        if (heard === 'before') resolve();
      }),
    );
    open.write('before');
    await echoed;

    gateway.setMode('hang');
    open.write('after the outage');

    expect((await exchange(gateway.port, 'hello')).ended).toBe('silent');
    await closed;
    expect(heard).toBe('before');
  });

  it('relays again once up', async () => {
    gateway.setMode('refuse');
    gateway.setMode('up');
    expect(await exchange(gateway.port, 'again')).toEqual({ echoed: 'again', ended: 'answered' });
  });
});
