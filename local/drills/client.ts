// The drills' client for one-off writes: what a well-behaved client of the API does (the load
// generator in load.ts has its own loop, with its own counters).
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A write as a client makes it: the same idempotency key on every try, again after a 503 with Retry-After (a fence, a lease). */
export async function postRetrying(url: string, init: RequestInit, attempts = 10): Promise<Response> {
  for (let attempt = 1; ; attempt += 1) {
    const response = await fetch(url, init);
    if (response.status !== 503 || attempt >= attempts) return response;
    await sleep(Math.min(5, Number(response.headers.get('retry-after') ?? 1)) * 1000);
  }
}
