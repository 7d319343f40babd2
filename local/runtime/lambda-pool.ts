import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { BUILD_DIR, bundleHandlers, handlerSource } from './bundle';
import { type InvocationSlots, invocationSlots } from './invocation-slots';
import type { LocalFunction } from './topology';
import { WORKER_EXEC_ARGV } from './worker-script';

export class LambdaInvocationError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
    this.name = errorType;
  }
}

interface PendingCall {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface RegionWorker {
  worker: Worker;
  pending: Map<number, PendingCall>;
  functionKeys: Set<string>;
}

export interface LambdaPool {
  /** Runs a function of a region like Lambda's Invoke: resolves with its result, rejects with its error type as name. */
  invoke(region: string, functionKeyOrNameOrArn: string, event: unknown): Promise<unknown>;
  functions(region: string): LocalFunction[];
  stop(): Promise<void>;
}

/**
 * Invocations of one function of one region that run at once in its worker; the rest start in
 * arrival order (./invocation-slots.ts says why). Enough to keep a worker busy while its
 * invocations wait on DynamoDB Local (a comment write is about a dozen round trips), few enough
 * that a herd of writes is answered first come, first served.
 */
export const LOCAL_FUNCTION_CONCURRENCY = 8;
/** An invocation running this long is waiting on something, not using its worker: it stops holding a slot. */
export const LOCAL_SLOT_RELEASE_MS = 1_000;
/** An invocation waiting this long for a slot starts anyway: the worker is overloaded, not passing a herd. */
export const LOCAL_SLOT_MAX_WAIT_MS = 1_000;

async function bundleWorker(outDir: string): Promise<string> {
  const out = path.join(outDir, '__lambda-worker.cjs');
  await build({
    entryPoints: [path.join(__dirname, 'lambda-worker.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'error',
  });
  return out;
}

/**
 * One worker thread per region and distinct function environment (Lambda gives each function
 * its own environment; functions that share one share a worker). Logs go to `logFile(region)`.
 */
export async function startLambdaPool(options: {
  regions: Array<{ region: string; functions: LocalFunction[]; extraEnv: Record<string, string> }>;
  logStream(region: string): NodeJS.WritableStream;
}): Promise<LambdaPool> {
  const slots = new Map<string, InvocationSlots>();
  const slotsOf = (region: string, functionKey: string): InvocationSlots => {
    const key = `${region}\u0000${functionKey}`;
    let found = slots.get(key);
    if (!found) {
      found = invocationSlots(LOCAL_FUNCTION_CONCURRENCY, { releaseAfterMs: LOCAL_SLOT_RELEASE_MS, maxWaitMs: LOCAL_SLOT_MAX_WAIT_MS });
      slots.set(key, found);
    }
    return found;
  };
  const allHandlers = options.regions.flatMap((r) => r.functions.map((f) => f.handler));
  // The handlers come from the shared bundle cache (./bundle.ts); the worker script goes in a folder of this runtime.
  const outDir = path.join(BUILD_DIR, `${process.pid}-${randomUUID().slice(0, 8)}`);
  const bundles = await bundleHandlers(allHandlers);
  const workerFile = await bundleWorker(outDir);
  const byRegion = new Map<string, { functions: LocalFunction[]; workers: RegionWorker[] }>();
  let nextId = 1;

  for (const { region, functions, extraEnv } of options.regions) {
    const groups = new Map<string, LocalFunction[]>();
    for (const fn of functions) {
      const key = JSON.stringify(Object.entries(fn.environment).sort());
      groups.set(key, [...(groups.get(key) ?? []), fn]);
    }
    const workers: RegionWorker[] = [];
    for (const group of groups.values()) {
      const env = {
        ...process.env,
        ...(group[0]?.environment ?? {}),
        ...extraEnv,
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
        // The Tracer is off here (no AWS_EXECUTION_ENV, shared/powertools.ts), yet the X-Ray SDK it
        // loads starts in automatic mode at import: cls-hooked, an async hook with a destroy
        // callback on every promise, about 8 % of a busy function worker's CPU (a --cpu-prof of
        // `npm run bench -- --load`). Manual mode skips it; nothing is traced either way.
        AWS_XRAY_MANUAL_MODE: 'true',
      };
      const worker = new Worker(workerFile, {
        execArgv: WORKER_EXEC_ARGV,
        env,
        stdout: true,
        stderr: true,
        workerData: {
          functions: Object.fromEntries(
            group.map((fn) => [
              fn.key,
              {
                bundle: bundles[fn.handler],
                exportName: handlerSource(fn.handler).exportName,
                name: fn.name,
                arn: fn.arn,
                timeoutSeconds: fn.timeoutSeconds,
              },
            ]),
          ),
        },
      });
      const log = options.logStream(region);
      worker.stdout.pipe(log, { end: false });
      worker.stderr.pipe(log, { end: false });
      const regionWorker: RegionWorker = { worker, pending: new Map(), functionKeys: new Set(group.map((f) => f.key)) };
      worker.on('message', (message: { id?: number; result?: unknown; error?: { name: string; message: string } }) => {
        if (message.id === undefined) return;
        const call = regionWorker.pending.get(message.id);
        if (!call) return;
        regionWorker.pending.delete(message.id);
        if (message.error) call.reject(new LambdaInvocationError(message.error.name, message.error.message));
        else call.resolve(message.result);
      });
      worker.on('error', (error) => {
        for (const call of regionWorker.pending.values()) call.reject(error);
        regionWorker.pending.clear();
      });
      workers.push(regionWorker);
    }
    byRegion.set(region, { functions, workers });
  }

  // Cold starts happen here, not on the first request of a drill.
  await Promise.all(
    [...byRegion.values()].flatMap(({ workers }) =>
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const onMessage = (message: { warmed?: boolean; error?: string }) => {
              if (message.warmed === undefined) return;
              w.worker.off('message', onMessage);
              if (message.warmed) resolve();
              else reject(new Error(`A handler failed to load:\n${message.error}`));
            };
            w.worker.on('message', onMessage);
            w.worker.postMessage({ warm: [...w.functionKeys] });
          }),
      ),
    ),
  );

  function find(region: string, ref: string): { fn: LocalFunction; worker: RegionWorker } {
    const entry = byRegion.get(region);
    if (!entry) throw new LambdaInvocationError('ResourceNotFoundException', `No functions in region ${region}`);
    const fn = entry.functions.find((f) => f.key === ref || f.name === ref || f.arn === ref || ref.endsWith(`:function:${f.name}`));
    const worker = fn && entry.workers.find((w) => w.functionKeys.has(fn.key));
    if (!fn || !worker) throw new LambdaInvocationError('ResourceNotFoundException', `Function not found: ${ref} (${region})`);
    return { fn, worker };
  }

  return {
    invoke(region, ref, event) {
      const { fn, worker } = find(region, ref);
      return slotsOf(region, fn.key).run(
        () =>
          new Promise((resolve, reject) => {
            const id = nextId++;
            worker.pending.set(id, { resolve, reject });
            worker.worker.postMessage({ id, functionKey: fn.key, event, requestId: randomUUID() });
          }),
      );
    },
    functions(region) {
      return byRegion.get(region)?.functions ?? [];
    },
    async stop() {
      await Promise.all([...byRegion.values()].flatMap(({ workers }) => workers.map((w) => w.worker.terminate())));
      fs.rmSync(outDir, { recursive: true, force: true });
    },
  };
}
