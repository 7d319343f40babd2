// The region doors' latency chaos over real sockets: a slow network holds the request back, slow
// answers let the request act at once and hold back only what the caller hears.
import http from 'node:http';
import type net from 'node:net';
import { type Gateway, startGateway } from '../../../local/runtime/gateway';

const DELAY_MS = 1500;

describe('a region door with latency', () => {
  let server: http.Server;
  let gateway: Gateway;
  let arrivals: number[];

  beforeAll(async () => {
    arrivals = [];
    server = http.createServer((req, res) => {
      arrivals.push(Date.now());
      req.resume();
      req.on('end', () => res.end('done'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    gateway = await startGateway({ target: (server.address() as net.AddressInfo).port });
  });
  afterAll(async () => {
    await gateway.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const call = async () => {
    const sentAt = Date.now();
    const res = await fetch(`http://127.0.0.1:${gateway.port}/`, { method: 'POST', body: 'x', headers: { connection: 'close' } });
    const body = await res.text();
    return { sentAt, answeredAt: Date.now(), arrivedAt: arrivals.at(-1) as number, body };
  };

  it('on answers alone: the request reaches the dependency before the delay, the caller hears after it', async () => {
    gateway.setDelay(DELAY_MS, 'responses');
    const { sentAt, answeredAt, arrivedAt, body } = await call();
    expect(body).toBe('done');
    expect(gateway.state()).toEqual({ mode: 'up', delayMs: DELAY_MS, delayDirection: 'responses' });
    expect(arrivedAt - sentAt).toBeLessThan(DELAY_MS);
    expect(answeredAt - arrivedAt).toBeGreaterThanOrEqual(DELAY_MS - 5);
  });

  it('on all traffic: the request itself arrives late', async () => {
    gateway.setDelay(DELAY_MS);
    const { sentAt, arrivedAt, body } = await call();
    expect(body).toBe('done');
    expect(gateway.state().delayDirection).toBe('both');
    expect(arrivedAt - sentAt).toBeGreaterThanOrEqual(DELAY_MS - 5);
  });

  it('without a delay, both ways are immediate again', async () => {
    gateway.setDelay(0);
    const { body } = await call();
    expect(body).toBe('done');
    expect(gateway.state().delayMs).toBe(0);
  });
});
