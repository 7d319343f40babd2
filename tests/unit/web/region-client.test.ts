import { type Fetch, NoRegionAnswered, RegionClient, resumeDelayMs } from '../../../web/src/region-client';
import type { RegionConfig, StateView } from '../../../web/src/state';

// The regions behind a fake fetch (the client's port): each answers, refuses the connection, or
// hangs until the request's signal aborts it, as a cut region does in the local runtime; or sends
// headers and then stalls the body, which the signal errors as fetch does (Fetch standard, "abort").
type Answer = Response | 'refuse' | 'hang' | 'stall-body';
type Handler = (path: string, init: RequestInit) => Answer | Promise<Answer>;

const regions: RegionConfig[] = [
  { region: 'us-east-1', role: 'primary', apiUrl: 'http://east' },
  { region: 'us-west-2', role: 'secondary', apiUrl: 'http://west' },
];

const stateOf = (servedBy: string, over: Partial<StateView> = {}): StateView => ({
  appId: 'switchyard',
  state: 'active',
  activeRegion: 'us-east-1',
  writableRegion: 'us-east-1',
  version: 1,
  updatedAt: '2026-01-01T00:00:00.000Z',
  servedBy,
  allowed: { read: true, write: servedBy === 'us-east-1' },
  ...over,
});

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

interface Call {
  region: string;
  path: string;
  method: string;
  key: string | null;
}

function fakeRegions(handlers: Record<string, Handler>) {
  const calls: Call[] = [];
  const fetch: Fetch = async (url, init = {}) => {
    const { host, pathname, search } = new URL(url);
    const region = regions.find((r) => new URL(r.apiUrl).host === host)?.region ?? host;
    const path = `${pathname}${search}`;
    calls.push({ region, path, method: init.method ?? 'GET', key: new Headers(init.headers).get('idempotency-key') });
    const answer = await (handlers[region] as Handler)(path, init);
    if (answer === 'refuse') throw new TypeError('fetch failed');
    if (answer === 'hang')
      return new Promise<Response>((_, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    if (answer === 'stall-body') {
      const body = new ReadableStream({
        start: (controller) => init.signal?.addEventListener('abort', () => controller.error(init.signal?.reason)),
      });
      return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
    }
    return answer;
  };
  return { fetch, calls, readsOf: () => calls.filter((c) => c.path !== '/state').map((c) => c.region) };
}

/** A region that serves its state and a comment list, or fails in the given way. */
const serving =
  (region: string, over: Partial<StateView> = {}): Handler =>
  (path) =>
    path === '/state' ? json(200, stateOf(region, over)) : json(200, { items: [], from: region });

const clientOf = (fetch: Fetch, extra: Partial<ConstructorParameters<typeof RegionClient>[0]> = {}) =>
  new RegionClient({ regions, fetch, stateTimeoutMs: 200, readTimeoutMs: 50, writeTimeoutMs: 200, ...extra });

const bodyOf = async (answer: { response: Response }) => (await answer.response.json()) as { from: string };

describe('a read', () => {
  it('goes to the writable region while it answers', async () => {
    const net = fakeRegions({ 'us-east-1': serving('us-east-1'), 'us-west-2': serving('us-west-2') });
    const client = clientOf(net.fetch);
    await client.refreshState();

    const answer = await client.read('/photos');

    expect(answer.region.region).toBe('us-east-1');
    expect(await bodyOf(answer)).toEqual({ items: [], from: 'us-east-1' });
    expect(net.readsOf()).toEqual(['us-east-1']);
  });

  it('is sent once to the other region after a network error, and the failed region is marked at once', async () => {
    let eastCut = false;
    const net = fakeRegions({
      'us-east-1': (path, init) => (eastCut ? 'refuse' : serving('us-east-1')(path, init)),
      'us-west-2': serving('us-west-2'),
    });
    const client = clientOf(net.fetch);
    await client.refreshState();
    eastCut = true;

    const answer = await client.read('/photos');

    expect(answer.region.region).toBe('us-west-2');
    expect(await bodyOf(answer)).toMatchObject({ from: 'us-west-2' });
    expect(client.isReachable('us-east-1')).toBe(false);
    // The next read goes straight to the other region, with no state poll in between.
    await client.read('/photos');
    expect(net.calls.slice(2).map((c) => `${c.region} ${c.path}`)).toEqual(['us-east-1 /photos', 'us-west-2 /photos', 'us-west-2 /photos']);
  });

  it('is sent once to the other region after a timeout (a region that hangs)', async () => {
    let eastHangs = false;
    const net = fakeRegions({
      'us-east-1': (path, init) => (eastHangs ? 'hang' : serving('us-east-1')(path, init)),
      'us-west-2': serving('us-west-2'),
    });
    const client = clientOf(net.fetch);
    await client.refreshState();
    eastHangs = true;

    const answer = await client.read('/photos');

    expect(answer.region.region).toBe('us-west-2');
    expect(client.isReachable('us-east-1')).toBe(false);
    expect(net.readsOf()).toEqual(['us-east-1', 'us-west-2']);
  });

  it('counts a body that never finishes as a timeout too', async () => {
    const net = fakeRegions({
      'us-east-1': (path, init) => (path === '/state' ? serving('us-east-1')(path, init) : 'stall-body'),
      'us-west-2': serving('us-west-2'),
    });
    const client = clientOf(net.fetch);
    await client.refreshState();

    expect((await client.read('/photos')).region.region).toBe('us-west-2');
  });

  it('reads from an isolated or fenced region: reads are allowed in every region', async () => {
    const fenced = { state: 'fenced' as const, writableRegion: null, activeRegion: 'us-west-2' };
    const cut = fakeRegions({
      'us-east-1': () => 'refuse',
      'us-west-2': serving('us-west-2', { ...fenced, isolated: true, allowed: { read: true, write: false } }),
    });
    const client = clientOf(cut.fetch);
    await client.refreshState();

    expect(client.view).toMatchObject({ isolated: true, writableRegion: null });
    expect((await client.read('/photos')).region.region).toBe('us-west-2');
  });

  it('returns an HTTP answer as it is (a 404 is the answer, not a reason to ask elsewhere)', async () => {
    const net = fakeRegions({
      'us-east-1': (path) => (path === '/state' ? json(200, stateOf('us-east-1')) : json(404, { code: 'NOT_FOUND' })),
      'us-west-2': serving('us-west-2'),
    });
    const client = clientOf(net.fetch);
    await client.refreshState();

    const answer = await client.read('/photos/nope');

    expect(answer.response.status).toBe(404);
    expect(net.readsOf()).toEqual(['us-east-1']);
  });

  it('fails with NoRegionAnswered when both regions fail, having tried each once', async () => {
    const net = fakeRegions({ 'us-east-1': () => 'refuse', 'us-west-2': () => 'hang' });
    const client = clientOf(net.fetch);

    await expect(client.read('/photos')).rejects.toBeInstanceOf(NoRegionAnswered);
    expect(net.readsOf()).toEqual(['us-east-1', 'us-west-2']);
    expect([client.isReachable('us-east-1'), client.isReachable('us-west-2')]).toEqual([false, false]);
  });
});

describe('the retry budget', () => {
  it('stops sending timed-out reads a second time when neither region answers in time, and refills with answers', async () => {
    let slow = true;
    const net = fakeRegions({
      'us-east-1': (path, init) => (slow ? 'hang' : serving('us-east-1')(path, init)),
      'us-west-2': (path, init) => (slow ? 'hang' : serving('us-west-2')(path, init)),
    });
    const client = clientOf(net.fetch, { readTimeoutMs: 5 });
    const readsSent = async () => {
      const before = net.readsOf().length;
      await client.read('/photos').catch(() => undefined);
      return net.readsOf().length - before;
    };

    const sent: number[] = [];
    for (let i = 0; i < 52; i += 1) sent.push(await readsSent());
    // 500 tokens, 10 per timed-out retry: fifty reads are tried twice, then once each.
    expect(sent).toEqual([...Array(50).fill(2), 1, 1]);

    slow = false;
    for (let i = 0; i < 10; i += 1) await client.read('/photos'); // 10 answers at the first try: 10 tokens back
    slow = true;
    expect([await readsSent(), await readsSent()]).toEqual([2, 1]);
  });
});

describe('overlapping state polls', () => {
  it('keep the view of the later-sent poll when an earlier one ends after it', async () => {
    // The first poll's west answer (v1, before the failover) is held back; a second poll sees v2.
    let releaseOld: () => void = () => undefined;
    let version = 1;
    const failedOver = { state: 'failover' as const, activeRegion: 'us-west-2', writableRegion: 'us-west-2', version: 2 };
    const net = fakeRegions({
      'us-east-1': () => 'refuse',
      'us-west-2': (path) => {
        if (path !== '/state') return json(200, { items: [], from: 'us-west-2' });
        if (version === 1)
          return new Promise<Answer>((resolve) => (releaseOld = () => resolve(json(200, stateOf('us-west-2', { state: 'fenced' })))));
        return json(200, stateOf('us-west-2', { ...failedOver, allowed: { read: true, write: true } }));
      },
    });
    const client = clientOf(net.fetch, { stateTimeoutMs: 5000 });
    const old = client.refreshState();
    version = 2;
    await client.refreshState();
    expect(client.view?.version).toBe(2);

    releaseOld();
    const oldViews = await old;

    expect(oldViews[1]?.version).toBe(1); // the caller still gets what each region said
    expect(client.view?.version).toBe(2);
    expect(client.view?.writableRegion).toBe('us-west-2');
  });
});

describe('a region marked unreachable', () => {
  it('is used again after the next successful poll of it, not before', async () => {
    let eastCut = true;
    const net = fakeRegions({
      'us-east-1': (path, init) => (eastCut ? 'refuse' : serving('us-east-1')(path, init)),
      'us-west-2': serving('us-west-2'),
    });
    const client = clientOf(net.fetch);
    await client.read('/photos'); // east fails, west answers
    eastCut = false;

    await client.read('/photos');
    expect(net.readsOf().at(-1)).toBe('us-west-2'); // healed, but no poll has seen it yet

    await client.refreshState();
    expect(client.isReachable('us-east-1')).toBe(true);
    await client.read('/photos');
    expect(net.readsOf().at(-1)).toBe('us-east-1');
  });

  it('stays marked when the poll that answered was sent before the failure', async () => {
    let releaseEastState: () => void = () => undefined;
    let eastCut = false;
    const net = fakeRegions({
      'us-east-1': (path) => {
        if (path === '/state') return new Promise<Answer>((resolve) => (releaseEastState = () => resolve(json(200, stateOf('us-east-1')))));
        return eastCut ? 'refuse' : json(200, { items: [], from: 'us-east-1' });
      },
      'us-west-2': serving('us-west-2'),
    });
    const client = clientOf(net.fetch, { stateTimeoutMs: 5000 });
    const poll = client.refreshState(); // east's answer is held back
    eastCut = true;
    await client.read('/photos'); // fails in east after the poll was sent
    releaseEastState();
    await poll;

    expect(client.isReachable('us-east-1')).toBe(false);
  });

  it('is marked by a poll that fails, and by a write that fails', async () => {
    const net = fakeRegions({ 'us-east-1': () => 'refuse', 'us-west-2': () => 'refuse' });
    const client = clientOf(net.fetch);

    await client.refreshState();
    expect(client.isReachable('us-east-1')).toBe(false);

    const healthy = clientOf(fakeRegions({ 'us-east-1': () => 'refuse', 'us-west-2': serving('us-west-2') }).fetch);
    await expect(
      healthy.write(regions[0] as RegionConfig, '/photos/p/comments', { method: 'POST', idempotencyKey: 'k', body: '{}' }),
    ).rejects.toThrow();
    expect(healthy.isReachable('us-east-1')).toBe(false);
    expect(healthy.isReachable('us-west-2')).toBe(true);
  });
});

describe('a write refused with 503 WRITES_RESUMING', () => {
  const promoted = { state: 'failover' as const, activeRegion: 'us-west-2', writableRegion: 'us-west-2', version: 2 };

  function resumingWest(refusals: number, headers: Record<string, string>) {
    let refused = 0;
    return fakeRegions({
      'us-east-1': () => 'refuse',
      'us-west-2': (path, init) => {
        if (path === '/state') return json(200, stateOf('us-west-2', { ...promoted, writesResumeAt: '2026-01-01T00:00:02.250Z' }));
        if (init.method === 'POST' && refused < refusals) {
          refused += 1;
          return json(503, { code: 'WRITES_RESUMING', message: 'later' }, headers);
        }
        return json(201, { comment: { id: 'c1' } });
      },
    });
  }

  it('is sent again to the same region with the same key after Retry-After, with no poll in between', async () => {
    const net = resumingWest(2, { 'retry-after': '3' });
    const waits: number[] = [];
    const client = clientOf(net.fetch, { sleep: async (ms) => void waits.push(ms) });
    const attempts: string[] = [];

    const res = await client.write(
      regions[1] as RegionConfig,
      '/photos/p/comments',
      { method: 'POST', idempotencyKey: 'key-1', body: '{"text":"hi"}' },
      { onAttempt: (a) => attempts.push(`${a.region} ${a.outcome}`) },
    );

    expect(res.status).toBe(201);
    expect(waits).toEqual([3000, 3000]);
    expect(attempts).toEqual(['us-west-2 WRITES_RESUMING', 'us-west-2 WRITES_RESUMING', 'us-west-2 ok']);
    expect(net.calls.map((c) => `${c.region} ${c.method} ${c.key}`)).toEqual([
      'us-west-2 POST key-1',
      'us-west-2 POST key-1',
      'us-west-2 POST key-1',
    ]);
  });

  it('waits only until writesResumeAt when the state names an earlier instant than the rounded-up Retry-After', async () => {
    const net = resumingWest(1, { 'retry-after': '3' });
    const waits: number[] = [];
    const client = clientOf(net.fetch, {
      sleep: async (ms) => void waits.push(ms),
      now: () => Date.parse('2026-01-01T00:00:00.000Z'),
    });
    await client.refreshState();

    await client.write(regions[1] as RegionConfig, '/photos/p/comments', { method: 'POST', idempotencyKey: 'k', body: '{}' });

    expect(waits).toEqual([2250]);
  });

  it('gives the refusal back when waiting would pass giveUpAt', async () => {
    const net = resumingWest(5, { 'retry-after': '3' });
    const client = clientOf(net.fetch, { sleep: async () => undefined, now: () => 1000 });

    const res = await client.write(
      regions[1] as RegionConfig,
      '/photos/p/comments',
      { method: 'POST', idempotencyKey: 'k', body: '{}' },
      { giveUpAt: 2000 },
    );

    expect(res.status).toBe(503);
    expect(net.calls).toHaveLength(1);
  });

  it('returns other refusals at once, for the caller to re-target (WRONG_REGION, WRITES_FENCED)', async () => {
    const net = fakeRegions({
      'us-east-1': () => json(409, { code: 'WRONG_REGION', writableRegion: 'us-west-2' }),
      'us-west-2': () => json(503, { code: 'WRITES_FENCED' }, { 'retry-after': '5' }),
    });
    const client = clientOf(net.fetch, { sleep: () => Promise.reject(new Error('must not wait')) });
    const send = (r: RegionConfig) => client.write(r, '/x', { method: 'POST', idempotencyKey: 'k', body: '{}' });

    expect((await send(regions[0] as RegionConfig)).status).toBe(409);
    expect((await send(regions[1] as RegionConfig)).status).toBe(503);
  });
});

describe('resumeDelayMs', () => {
  const refusal = (headers: Record<string, string>) => json(503, { code: 'WRITES_RESUMING' }, headers);
  const now = Date.parse('2026-01-01T00:00:00.000Z');

  it('takes Retry-After, 1 s without one, and never waits longer than Retry-After for a clock that runs behind', () => {
    expect(resumeDelayMs(refusal({ 'retry-after': '2' }), null, 'us-west-2', now)).toBe(2000);
    expect(resumeDelayMs(refusal({}), null, 'us-west-2', now)).toBe(1000);
    const late = stateOf('us-west-2', { writableRegion: 'us-west-2', writesResumeAt: '2026-01-01T00:00:09.000Z' });
    expect(resumeDelayMs(refusal({ 'retry-after': '2' }), late, 'us-west-2', now)).toBe(2000);
  });

  it('ignores a resume time the state gives for another region', () => {
    const other = stateOf('us-east-1', { writableRegion: 'us-east-1', writesResumeAt: '2026-01-01T00:00:00.100Z' });
    expect(resumeDelayMs(refusal({ 'retry-after': '2' }), other, 'us-west-2', now)).toBe(2000);
  });
});
