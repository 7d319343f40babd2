// How many invocations of one local function run at once, and in what order the rest start.
//
// On AWS every invocation runs in an execution environment of its own ("each execution
// environment processes one request at a time", Lambda developer guide, "Understanding Lambda
// function scaling"), so fifty writes released at once each get their own CPU and finish about
// together, each at its usual latency. Here a function's environments share one worker thread:
// fifty interleaved invocations share its CPU and all finish late, the first as late as the last
// (processor sharing: the herd of writes held by WRITES_RESUMING took 1.7 s to its first
// acknowledgement in `region-outage`). With at most `limit` running and the rest started in
// arrival order, the first ones finish at their usual latency and the last no later than before:
// the thread does the same work in a different order. It is no kinder than AWS: the queue's wait
// is time AWS would not make anyone wait, and the Lambda timeout still counts from the start.
//
// An invocation that has run for `releaseAfterMs` stops holding its slot: by then it is waiting on
// something slow (an S3 stand-in told to answer 2 s late, a retry's back-off), not using the
// thread, and on AWS the invocations behind it would not wait for it. So the queue delays a start
// by at most about that long, and never holds back writes that AWS would have in flight at once
// (the `slow-write` drill needs completions admitted before a fence still running at its drain's end).
//
// An invocation that has waited `maxWaitMs` for a slot starts anyway. Under a sustained overload
// (the `large-table` drill seeds 200,000 items while the load runs) a queue with no bound filled
// with invocations whose clients had given up (8 s) and sent them again, each new one behind all
// of them: no write was acknowledged for 71 s. Past that wait the machine is overloaded rather
// than passing a herd, and invocations share the thread as before.
export interface InvocationSlots {
  /** Runs `task` once a slot is free (arrival order); the slot is freed when it settles. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Invocations holding a slot, and waiting for one. */
  readonly running: number;
  readonly waiting: number;
}

export function invocationSlots(limit: number, options: { releaseAfterMs?: number; maxWaitMs?: number } = {}): InvocationSlots {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be an integer ≥ 1');
  const releaseAfterMs = options.releaseAfterMs ?? Number.POSITIVE_INFINITY;
  const maxWaitMs = options.maxWaitMs ?? Number.POSITIVE_INFINITY;
  let running = 0;
  const queue: Array<{ begin: () => void; timer?: NodeJS.Timeout }> = [];

  const startQueued = (entry: { begin: () => void; timer?: NodeJS.Timeout }) => {
    clearTimeout(entry.timer);
    running += 1;
    entry.begin();
  };
  const release = () => {
    running -= 1;
    while (running < limit && queue.length > 0) startQueued(queue.shift() as (typeof queue)[number]);
  };

  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      const start = () => {
        let held = true;
        const free = () => {
          if (!held) return;
          held = false;
          release();
        };
        const timer = Number.isFinite(releaseAfterMs) ? setTimeout(free, releaseAfterMs) : undefined;
        timer?.unref();
        let settled: Promise<T>;
        try {
          settled = task();
        } catch (error) {
          settled = Promise.reject(error);
        }
        return settled.finally(() => {
          clearTimeout(timer);
          free();
        });
      };
      if (running < limit) {
        running += 1;
        return start();
      }
      return new Promise<T>((resolve, reject) => {
        const entry: { begin: () => void; timer?: NodeJS.Timeout } = {
          begin: () => {
            start().then(resolve, reject);
          },
        };
        if (Number.isFinite(maxWaitMs)) {
          // Waited long enough: the machine is overloaded, not a herd passing; run it beside the others.
          entry.timer = setTimeout(() => {
            const at = queue.indexOf(entry);
            if (at >= 0) {
              queue.splice(at, 1);
              startQueued(entry);
            }
          }, maxWaitMs);
          entry.timer.unref();
        }
        queue.push(entry);
      });
    },
    get running() {
      return running;
    },
    get waiting() {
      return queue.length;
    },
  };
}
