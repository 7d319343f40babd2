// The one client path to the two regions, shared by the web app (main.ts) and the drills' load
// generator (local/drills/load.ts), so what the drills measure is what the users get. It polls
// both regions' state, sends a read to the preferred region and once to the other one after a
// network error or a timeout, remembers at once that a region failed, and sends a write again to
// a just-promoted region at the time it names. No DOM and no Node APIs: fetch is a port.
import { pickState, type RegionConfig, readOrder, type StateView } from './state';

/** The part of fetch this client uses (the browser's, Node's, or a fake in the unit tests). */
export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

export interface RegionClientOptions {
  regions: readonly RegionConfig[];
  fetch: Fetch;
  /** Bound on one GET /state, ms. */
  stateTimeoutMs: number;
  /** Bound on one read attempt, body included, ms: a read takes at most twice this. */
  readTimeoutMs: number;
  /** Bound on one write attempt, body included, ms. */
  writeTimeoutMs: number;
  /** Longest total wait for a just-promoted region to take writes, ms. Default 15 s. */
  maxResumeWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** Neither region gave an answer to a read (each attempt ended in a network error or a timeout). */
export class NoRegionAnswered extends Error {
  override readonly name = 'NoRegionAnswered';
  constructor(
    readonly tried: readonly string[],
    readonly lastError?: unknown,
  ) {
    super(tried.length === 0 ? 'No region is configured.' : `Neither region can be reached right now (tried ${tried.join(', ')}).`);
  }
}

/** One write attempt, for callers that count them (the drills' load). */
export interface WriteAttempt {
  at: number;
  region: string;
  /** 'ok' for a 2xx, the API's error code, `HTTP_<status>`, or 'NETWORK' (an error or a timeout). */
  outcome: string;
}

/**
 * The bound on one read attempt, for the web app and the drills' load alike: a read that gets no
 * answer within it is sent to the other region, so a read takes at most twice this.
 */
export const READ_TIMEOUT_MS = 4000;

/**
 * The bound on one write attempt and on one GET /state, for the web app and the drills' load
 * alike. A write's answer comes within the server's own bounds (its write lease, docs/fencing.md,
 * and the function's timeout), so a client that gives up sooner only sends the same write again
 * while the first is still being done: the drills' load gave up after 2 s (the web app after 8 s),
 * and at 80 requests/s (`npm run bench -- --load`) its write attempts grew to 130 a second for 24
 * writes, nearly all of them timed out, 19 acknowledged in a minute.
 */
export const WRITE_TIMEOUT_MS = 8000;
export const STATE_TIMEOUT_MS = 2500;

/**
 * Sends to the other region are a budget, as the AWS SDKs' retry quota (standard retry mode: a
 * the SDKs' own figures: 500 tokens, a retry costs 5, a timeout's retry 10, an answer at the first
 * try gives 1 back;
 * docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html). A region cut off uses little
 * of it (reads go elsewhere first once it is marked); an overloaded service that answers neither
 * region in time would otherwise get every read twice, and locally both regions share one machine.
 */
export const RETRY_BUDGET = { capacity: 500, networkErrorCost: 5, timeoutCost: 10, refundPerFirstTry: 1 } as const;

const isTimeout = (error: unknown) => (error as { name?: unknown } | null)?.name === 'TimeoutError';

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Statuses a Response may not carry a body with (the Fetch standard's "null body status"). */
const NULL_BODY = new Set([101, 204, 205, 304]);

/**
 * When a just-promoted region takes writes, from its 503 WRITES_RESUMING: Retry-After (whole
 * seconds, rounded up by the API), or sooner when the state it published names the instant
 * (writesResumeAt). Never later than Retry-After, so a client clock that runs behind costs nothing;
 * one that runs ahead costs one more refusal, whose Retry-After is then the bound.
 */
export function resumeDelayMs(response: Response, view: StateView | null, region: string, now: number): number {
  const header = Number(response.headers.get('retry-after') ?? Number.NaN);
  const byHeader = Number.isFinite(header) && header >= 0 ? header * 1000 : 1000;
  const resumeAt =
    view?.writableRegion === region && typeof view.writesResumeAt === 'string' ? Date.parse(view.writesResumeAt) : Number.NaN;
  return Number.isNaN(resumeAt) ? byHeader : Math.max(0, Math.min(byHeader, resumeAt - now));
}

async function errorCodeOf(response: Response): Promise<string> {
  const body = (await response
    .clone()
    .json()
    .catch(() => ({}))) as { code?: unknown };
  return typeof body.code === 'string' ? body.code : `HTTP_${response.status}`;
}

export class RegionClient {
  /** The freshest state among the regions' last answers (null: none answered the last poll). */
  view: StateView | null = null;
  private readonly regions: readonly RegionConfig[];
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  /** Regions whose last request failed, each with the number of the failure that marked it. */
  private readonly unreachable = new Map<string, number>();
  private failures = 0;
  private retryTokens: number = RETRY_BUDGET.capacity;
  /** Polls sent, and the number of the one whose answers `view` holds. */
  private pollsSent = 0;
  private viewFromPoll = 0;

  constructor(private readonly options: RegionClientOptions) {
    this.regions = options.regions;
    this.sleep = options.sleep ?? defaultSleep;
    this.now = options.now ?? Date.now;
  }

  /** Whether a region is believed to answer: no request to it failed since its last good poll. */
  isReachable(region: string): boolean {
    return !this.unreachable.has(region);
  }

  /** Marks a region unreachable at once: reads go elsewhere first until a poll of it succeeds. */
  markUnreachable(region: string): void {
    this.failures += 1;
    this.unreachable.set(region, this.failures);
  }

  /**
   * Asks every region for the state at once. A region that answers is reachable again, unless a
   * request to it failed after this poll was sent (that failure is newer news); one that does not
   * answer is marked. Returns each region's answer, in the order of `regions`.
   *
   * Polls may overlap (the app polls on a timer and again after a refused write). A poll that ends
   * after a later-sent one does not replace the view: its answers are older news, and taking them
   * would send the view back to a lower version than the client already saw.
   */
  async refreshState(): Promise<Array<StateView | null>> {
    this.pollsSent += 1;
    const poll = this.pollsSent;
    const views = await Promise.all(this.regions.map((region) => this.pollState(region)));
    if (poll > this.viewFromPoll) {
      this.view = pickState(views);
      this.viewFromPoll = poll;
    }
    return views;
  }

  private async pollState(region: RegionConfig): Promise<StateView | null> {
    const failuresBefore = this.failures;
    try {
      const res = await this.options.fetch(`${region.apiUrl}/state`, {
        signal: AbortSignal.timeout(this.options.stateTimeoutMs),
        cache: 'no-store',
      });
      if (!res.ok) throw new Error(`GET /state answered ${res.status}`);
      const view = (await res.json()) as StateView;
      if ((this.unreachable.get(region.region) ?? 0) <= failuresBefore) this.unreachable.delete(region.region);
      return view;
    } catch {
      this.markUnreachable(region.region);
      return null;
    }
  }

  /**
   * A GET (reads are allowed in every region, isolated or fenced ones included: GET /state's
   * `allowed.read`). It goes to the preferred region (state.ts `readOrder`: reachable ones first);
   * after a network error or a timeout that region is marked and the read is sent once to the
   * other one, while the retry budget lasts (RETRY_BUDGET). Any HTTP answer is returned (the body already read, within the timeout); throws
   * NoRegionAnswered when no attempt got one.
   */
  async read(path: string, init: RequestInit = {}): Promise<{ response: Response; region: RegionConfig }> {
    const tried: string[] = [];
    let lastError: unknown;
    for (const region of readOrder(this.view, this.regions, (name) => this.isReachable(name)).slice(0, 2)) {
      if (tried.length > 0) {
        const cost = isTimeout(lastError) ? RETRY_BUDGET.timeoutCost : RETRY_BUDGET.networkErrorCost;
        if (this.retryTokens < cost) break;
        this.retryTokens -= cost;
      }
      tried.push(region.region);
      try {
        const response = await this.send(region, path, { ...init, method: 'GET' }, this.options.readTimeoutMs);
        if (tried.length === 1) this.retryTokens = Math.min(RETRY_BUDGET.capacity, this.retryTokens + RETRY_BUDGET.refundPerFirstTry);
        return { response, region };
      } catch (error) {
        this.markUnreachable(region.region);
        lastError = error;
      }
    }
    throw new NoRegionAnswered(tried, lastError);
  }

  /**
   * A write to `region` with one idempotency key on every attempt. While the region answers 503
   * WRITES_RESUMING (it was just promoted and waits out the other region's write lease) it is sent
   * again at the time the refusal names, not at the next state poll, until `giveUpAt` (default:
   * maxResumeWaitMs from now). Returns the first other answer, or the refusal that would wait past
   * giveUpAt; a network error or a timeout marks the region and is thrown.
   */
  async write(
    region: RegionConfig,
    path: string,
    request: { method: string; idempotencyKey: string; headers?: Record<string, string>; body?: string },
    hooks: { onAttempt?: (attempt: WriteAttempt) => void; giveUpAt?: number } = {},
  ): Promise<Response> {
    const { onAttempt } = hooks;
    const init: RequestInit = {
      method: request.method,
      headers: { ...request.headers, 'idempotency-key': request.idempotencyKey },
      ...(request.body === undefined ? {} : { body: request.body }),
    };
    const giveUpAt = hooks.giveUpAt ?? this.now() + (this.options.maxResumeWaitMs ?? 15_000);
    for (;;) {
      const at = this.now();
      let response: Response;
      try {
        response = await this.send(region, path, init, this.options.writeTimeoutMs);
      } catch (error) {
        this.markUnreachable(region.region);
        onAttempt?.({ at, region: region.region, outcome: 'NETWORK' });
        throw error;
      }
      const outcome = response.ok ? 'ok' : await errorCodeOf(response);
      onAttempt?.({ at, region: region.region, outcome });
      if (outcome !== 'WRITES_RESUMING') return response;
      const delay = resumeDelayMs(response, this.view, region.region, this.now());
      if (this.now() + delay > giveUpAt) return response;
      await this.sleep(delay);
    }
  }

  /** One request, its body read within the same bound, handed back as a fresh Response. */
  private async send(region: RegionConfig, path: string, init: RequestInit, timeoutMs: number): Promise<Response> {
    const res = await this.options.fetch(`${region.apiUrl}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs), cache: 'no-store' });
    const body = NULL_BODY.has(res.status) ? null : await res.arrayBuffer();
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  }
}
