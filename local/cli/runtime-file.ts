import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../service-definition';

/** Written by `npm start` while it runs: how other commands (chaos, runbook, drill) find it. */
export interface RuntimeFile {
  pid: number;
  stage: string;
  controlUrl: string;
  /** Required by the chaos endpoint (local/runtime/control-server.ts); the file is readable by its owner only. */
  controlToken: string;
  controlPlaneEndpoint: string;
  /**
   * Per region: its API, its quorum door and the environment of a client OUTSIDE both regions
   * (Runtime.operatorEnv: SWITCHYARD_REGION_ENDPOINTS reaches every region directly, quorum
   * doors included), so on-call CLIs keep reaching each region whatever partition is in force.
   */
  regions: Array<{ region: string; role: string; apiUrl: string; quorumEndpoint?: string; env: Record<string, string> }>;
  startedAt: string;
}

export const RUNTIME_FILE = path.join(PROJECT_ROOT, '.switchyard', 'runtime.json');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The running runtime, or undefined (a file left by a crashed run is ignored and removed). */
export function readRuntimeFile(): RuntimeFile | undefined {
  if (!fs.existsSync(RUNTIME_FILE)) return undefined;
  try {
    const file = JSON.parse(fs.readFileSync(RUNTIME_FILE, 'utf8')) as RuntimeFile;
    if (alive(file.pid)) return file;
  } catch {
    // unreadable: treat as stale
  }
  fs.rmSync(RUNTIME_FILE, { force: true });
  return undefined;
}
