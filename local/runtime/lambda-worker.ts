// A Lambda execution environment for one region: runs in a worker thread whose process.env
// is that region's function environment, loads the bundled handlers once (cold start) and
// serves invocations sent by the main thread.
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

interface WorkerInput {
  functions: Record<string, { bundle: string; exportName: string; name: string; arn: string; timeoutSeconds: number }>;
}
interface Invocation {
  id: number;
  functionKey: string;
  event: unknown;
  requestId: string;
}
type Handler = (event: unknown, context: Record<string, unknown>) => Promise<unknown>;

const input = workerData as WorkerInput;
const loaded = new Map<string, Promise<Handler>>();

function load(functionKey: string): Promise<Handler> {
  let handler = loaded.get(functionKey);
  if (!handler) {
    const fn = input.functions[functionKey];
    if (!fn) throw new Error(`Unknown function ${functionKey}`);
    handler = import(pathToFileURL(fn.bundle).href).then((mod: Record<string, unknown>) => {
      const exported = mod[fn.exportName];
      if (typeof exported !== 'function') throw new Error(`${fn.bundle} exports no function "${fn.exportName}"`);
      return exported as Handler;
    });
    loaded.set(functionKey, handler);
  }
  return handler;
}

async function invoke(message: Invocation): Promise<unknown> {
  const fn = input.functions[message.functionKey];
  if (!fn) throw Object.assign(new Error(`Function not found: ${message.functionKey}`), { name: 'ResourceNotFoundException' });
  const handler = await load(message.functionKey);
  const deadline = Date.now() + fn.timeoutSeconds * 1000;
  const context = {
    functionName: fn.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: fn.arn,
    memoryLimitInMB: '512',
    awsRequestId: message.requestId,
    logGroupName: `/aws/lambda/${fn.name}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`), { name: 'Sandbox.Timedout' })),
      fn.timeoutSeconds * 1000,
    );
  });
  try {
    return await Promise.race([handler(message.event, context), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

parentPort?.on('message', (message: Invocation | { warm: string[] }) => {
  if ('warm' in message) {
    Promise.all(message.warm.map((key) => load(key)))
      .then(() => parentPort?.postMessage({ warmed: true }))
      .catch((error: Error) => parentPort?.postMessage({ warmed: false, error: error.stack ?? error.message }));
    return;
  }
  invoke(message).then(
    (result) => parentPort?.postMessage({ id: message.id, result: result === undefined ? null : result }),
    (error: Error) =>
      parentPort?.postMessage({
        id: message.id,
        error: { name: error?.name ?? 'Error', message: error?.message ?? String(error), stack: error?.stack },
      }),
  );
});
