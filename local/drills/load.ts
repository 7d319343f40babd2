// The drill's load generator: behaves like the web app, through the web app's own client path
// (web/src/region-client.ts) and state logic (web/src/state.ts): follows the application state by
// polling both regions, reads from the preferred region and once from the other after a network
// error or a timeout, writes comments to the writable region with an idempotency key (sent again
// at the time a just-promoted region names), re-targets on WRONG_REGION or a network error, waits
// politely while writes are fenced. Every attempt and every acknowledged write is recorded for the
// report and the lost-write check.
import { newId } from '../../shared/photos/ids';
import { NoRegionAnswered, READ_TIMEOUT_MS, RegionClient, STATE_TIMEOUT_MS, WRITE_TIMEOUT_MS } from '../../web/src/region-client';
import { type RegionConfig, type StateView, writeTarget } from '../../web/src/state';

export interface Attempt {
  at: number;
  kind: 'read' | 'write';
  ok: boolean;
  /** 'ok', an API error code (WRITES_FENCED, WRONG_REGION…), 'NETWORK', 'NO_WRITABLE_REGION', 'HTTP_5xx'. */
  outcome: string;
  region: string | null;
  latencyMs: number;
}

export interface AckedWrite {
  key: string;
  commentId: string;
  region: string;
  /** The client near which region sent it (load clients are pinned one to each region). */
  home: string;
  /** When the attempt that was acknowledged was sent: the write committed between this and ackAt. */
  sentAt: number;
  /** When the client first tried, and when the write was acknowledged (ms since epoch). */
  firstTryAt: number;
  ackAt: number;
}

export interface StateSample {
  /** When the poll was sent, and when its last answer arrived (ms since epoch). */
  at: number;
  doneAt?: number;
  /** Per region: what it said, or null when it did not answer. */
  views: Record<string, { state: string; version: number; activeRegion: string; write: boolean; isolated: boolean } | null>;
  writable: string[];
}

export interface LoadOptions {
  regions: RegionConfig[];
  token: string;
  photoId: string;
  /** Requests per second (reads and first write attempts). Default 100. */
  rate?: number;
  /** Share of writes. Default 0.3. */
  writeShare?: number;
  /** How often both regions' state is sampled, ms. Default 100. */
  sampleMs?: number;
  /** A write not acknowledged after this long is given up (counted as failed). Default 20 s. */
  giveUpMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The wait before sending a write again after a timeout, a network error or a 5xx: exponential
 * backoff with full jitter, from 200 ms up to 2 s (the AWS SDKs' standard retry mode does the same:
 * docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html). A fixed 200 ms made every
 * write whose answer was late send again at once, so an overloaded region got each write two or
 * three times while it still worked on the abandoned ones, and stayed overloaded (`npm run bench --
 * --load`: 4,117 attempts for 1,440 writes, 1,589 of 3,376 reads failed, in a run that did not recover).
 */
export function retryDelayMs(failures: number, random: () => number = Math.random): number {
  return Math.round(random() * Math.min(2000, 200 * 2 ** failures));
}

export class LoadGenerator {
  readonly attempts: Attempt[] = [];
  readonly acked: AckedWrite[] = [];
  readonly samples: StateSample[] = [];
  readonly abandoned: Array<{ key: string; firstTryAt: number; lastOutcome: string }> = [];
  private readonly client: RegionClient;
  private running = false;
  private inFlight = new Set<Promise<void>>();
  private loops: Promise<void>[] = [];
  private seq = 0;

  constructor(private readonly options: LoadOptions) {
    this.client = new RegionClient({
      regions: options.regions,
      fetch: (url, init) => fetch(url, init),
      // The web app's bounds (they were 1 s, 2 s and 2 s here): on a busy machine a slow answer is
      // not a failed request, and a write given up on too early is done twice.
      stateTimeoutMs: STATE_TIMEOUT_MS,
      readTimeoutMs: READ_TIMEOUT_MS,
      writeTimeoutMs: WRITE_TIMEOUT_MS,
      maxResumeWaitMs: options.giveUpMs ?? 20_000,
    });
  }

  get current(): StateView | null {
    return this.client.view;
  }

  start(): void {
    this.running = true;
    this.loops = [this.sampleLoop(), this.requestLoop()];
  }

  /** Stops issuing requests and waits for the ones in flight (writes finish their retries). */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    await Promise.all([...this.inFlight]);
  }

  async refreshState(): Promise<StateView | null> {
    const at = Date.now();
    const views = await this.client.refreshState();
    const sample: StateSample = { at, doneAt: Date.now(), views: {}, writable: [] };
    this.options.regions.forEach((r, i) => {
      const v = views[i];
      sample.views[r.region] = v
        ? { state: v.state, version: v.version, activeRegion: v.activeRegion, write: v.allowed.write, isolated: v.isolated === true }
        : null;
      if (v?.allowed.write) sample.writable.push(r.region);
    });
    this.samples.push(sample);
    return this.client.view;
  }

  /** Writes waiting for news of the state: resolved by the first poll sent at or after `after`. */
  private waiting: Array<{ after: number; resolve: () => void }> = [];

  /**
   * Fresh news of the state after a refused or failed write: the sampler's next poll (it polls
   * every `sampleMs`), not a poll of the write's own. The load is one population of clients
   * sharing one view; a poll per waiting write made the state polls grow with the writes held up
   * (three times the sampler's in `isolated-everywhere`), and the extra GET /state work on a
   * saturated runtime is what kept it saturated after a heal. Once the load has stopped, a write
   * finishing its retries polls for itself.
   */
  private async pollAfterNow(): Promise<void> {
    if (!this.running) {
      await this.refreshState();
      return;
    }
    const after = Date.now();
    await new Promise<void>((resolve) => this.waiting.push({ after, resolve }));
  }

  private settleWaiting(sentAt: number | null): void {
    const still: typeof this.waiting = [];
    for (const w of this.waiting) {
      if (sentAt === null || w.after <= sentAt) w.resolve();
      else still.push(w);
    }
    this.waiting = still;
  }

  private async sampleLoop(): Promise<void> {
    const every = this.options.sampleMs ?? 100;
    while (this.running) {
      const started = Date.now();
      await this.refreshState();
      this.settleWaiting(started);
      await sleep(Math.max(0, every - (Date.now() - started)));
    }
    this.settleWaiting(null);
  }

  private async requestLoop(): Promise<void> {
    const rate = this.options.rate ?? 100;
    const writeShare = this.options.writeShare ?? 0.3;
    const started = Date.now();
    let issued = 0;
    while (this.running) {
      const due = Math.floor(((Date.now() - started) / 1000) * rate);
      for (; issued < due; issued += 1) {
        // Deterministic mix: every n-th request is a write.
        const isWrite = Math.floor((issued + 1) * writeShare) > Math.floor(issued * writeShare);
        const p = (isWrite ? this.write() : this.read()).catch(() => undefined);
        this.inFlight.add(p);
        void p.finally(() => this.inFlight.delete(p));
      }
      await sleep(10);
    }
  }

  private record(kind: Attempt['kind'], at: number, region: string | null, outcome: string): void {
    this.attempts.push({ at, kind, ok: outcome === 'ok', outcome, region, latencyMs: Date.now() - at });
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.options.token}`, ...extra };
  }

  /** One read as a user makes it: one record, whichever region answered it (region-client.ts). */
  private async read(): Promise<void> {
    const at = Date.now();
    try {
      const { response, region } = await this.client.read(`/photos/${this.options.photoId}/comments?limit=10`, { headers: this.headers() });
      this.record('read', at, region.region, response.ok ? 'ok' : `HTTP_${response.status}`);
    } catch (error) {
      // TIMEOUT: the last region tried did not answer within the read's bound; NETWORK: it refused
      // or broke the connection. The region is the last one tried (the report lists each failure).
      const timedOut = error instanceof NoRegionAnswered && (error.lastError as { name?: unknown } | undefined)?.name === 'TimeoutError';
      const tried = error instanceof NoRegionAnswered ? error.tried : [];
      this.record('read', at, tried.at(-1) ?? null, `${timedOut ? 'TIMEOUT' : 'NETWORK'}${tried.length > 1 ? ' (both regions)' : ''}`);
    }
  }

  /**
   * Where a client near `home` sends a write: to its own region while that region says it takes
   * writes, or has not refused one for a second (so a region that claims too much is found out by
   * its answers, not only by GET /state); otherwise where the state says, like the web app.
   */
  private writeTargetFor(home: string): ReturnType<typeof writeTarget> {
    const own = this.options.regions.find((r) => r.region === home);
    const said = this.samples.at(-1)?.views[home];
    const refusedAt = this.homeRefusedAt.get(home) ?? 0;
    if (own && (said?.write === true || (said !== null && Date.now() - refusedAt > 1000))) return { ok: true, region: own };
    return writeTarget(this.client.view, this.options.regions);
  }

  private readonly homeRefusedAt = new Map<string, number>();

  private async write(): Promise<void> {
    this.seq += 1;
    const regions = this.options.regions;
    const home = (regions[this.seq % regions.length] as RegionConfig).region;
    const firstTryAt = Date.now();
    // A ULID made when the write is first tried, as the web app does: the comment's id follows
    // from it, so every retry of this write, in either region, writes the same comment.
    const key = newId(new Date(firstTryAt));
    const deadline = firstTryAt + (this.options.giveUpMs ?? 20_000);
    let lastOutcome = '';
    let waits = 0;
    let failures = 0;
    while (Date.now() < deadline) {
      const target = this.writeTargetFor(home);
      let at = Date.now();
      if (!target.ok) {
        // No region takes writes (fenced, or none answers): back off like a polite client.
        lastOutcome = 'NO_WRITABLE_REGION';
        this.record('write', at, null, lastOutcome);
        await sleep(Math.min(2000, 250 * 2 ** waits++));
        await this.pollAfterNow();
        continue;
      }
      try {
        // A 503 WRITES_RESUMING is sent again by the client at the time it names; every try is recorded.
        const res = await this.client.write(
          target.region,
          `/photos/${this.options.photoId}/comments`,
          {
            method: 'POST',
            idempotencyKey: key,
            headers: this.headers({ 'content-type': 'application/json' }),
            body: JSON.stringify({ text: `drill write ${key}` }),
          },
          {
            giveUpAt: deadline,
            onAttempt: (attempt) => {
              at = attempt.at;
              lastOutcome = attempt.outcome;
              this.record('write', attempt.at, attempt.region, attempt.outcome);
            },
          },
        );
        const body = (await res.json().catch(() => ({}))) as { id?: string; code?: string; comment?: { id?: string } };
        if (res.status === 201 || res.status === 200) {
          const commentId = body.comment?.id ?? body.id ?? '';
          this.acked.push({ key, commentId, region: target.region.region, home, sentAt: at, firstTryAt, ackAt: Date.now() });
          return;
        }
        if (target.region.region === home) this.homeRefusedAt.set(home, Date.now());
        if (res.status === 503) {
          // Fenced or isolated: be polite, the Retry-After header says how long; the drill caps it at 0.5 s.
          await sleep(Math.min(500, Number(res.headers.get('retry-after') ?? 1) * 1000));
          await this.pollAfterNow();
        } else if (res.status === 409) {
          await this.pollAfterNow();
        } else if (res.status >= 500) {
          await sleep(retryDelayMs(failures++));
        } else {
          break; // a 4xx other than the two above is a bug in the client: do not hammer
        }
      } catch {
        // Recorded as NETWORK by onAttempt; the client marked the region unreachable for reads.
        if (target.region.region === home) this.homeRefusedAt.set(home, Date.now());
        await sleep(retryDelayMs(failures++));
        await this.pollAfterNow();
      }
    }
    this.abandoned.push({ key, firstTryAt, lastOutcome });
  }
}
