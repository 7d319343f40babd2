import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadStageConfig } from '../infra/stage-config.cjs';

const run = promisify(execFile);
export const PROJECT_ROOT = path.resolve(__dirname, '..');
const CACHE_DIR = path.join(PROJECT_ROOT, '.switchyard', 'cache');
/** What `osls print` resolves: serverless.yml and the files it includes (each service's functions.yml). */
const SOURCES: Array<{ path: string; only?: RegExp }> = [
  { path: 'serverless.yml' },
  { path: 'infra' },
  { path: 'state-machines' },
  { path: 'services', only: /\.ya?ml$/ },
];

/** The parts of a resolved serverless.yml that the embedded runtime reads. */
export interface ResolvedService {
  service: string;
  provider: {
    stage: string;
    region: string;
    environment?: Record<string, unknown>;
    runtime?: string;
    timeout?: number;
    memorySize?: number;
  };
  custom: Record<string, unknown> & { stage: StageInfo; names: Record<string, string> };
  functions: Record<string, ResolvedFunction>;
  resources?: { Resources?: Record<string, CfnResource>; Conditions?: Record<string, unknown>; Outputs?: Record<string, unknown> };
  stepFunctions?: { stateMachines?: Record<string, ResolvedStateMachine>; validate?: boolean };
}

export interface StageInfo {
  appId: string;
  stage: string;
  region: string;
  role: 'primary' | 'secondary';
  isPrimary: boolean;
  peerRegion: string;
  primaryRegion: string;
  secondaryRegion: string;
  thresholds: Record<string, number>;
  notifications: { emails: string[] };
  photos: { maxBytes: number };
}

export interface ResolvedFunction {
  handler: string;
  name?: string;
  timeout?: number;
  environment?: Record<string, unknown>;
  events?: Array<Record<string, unknown>>;
}

export interface ResolvedStateMachine {
  name?: string;
  definition: Record<string, unknown>;
  events?: Array<Record<string, unknown>>;
  alarms?: Record<string, unknown>;
}

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Condition?: string;
}

function hashSources(): string {
  const hash = createHash('sha256');
  const walk = (p: string, only: RegExp | undefined): void => {
    const full = path.join(PROJECT_ROOT, p);
    if (!fs.existsSync(full)) return;
    const stat = fs.statSync(full);
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(full).sort()) walk(path.join(p, entry), only);
    } else if (!only || only.test(p)) {
      hash.update(p);
      hash.update(fs.readFileSync(full));
    }
  };
  for (const source of SOURCES) walk(source.path, source.only);
  return hash.digest('hex').slice(0, 16);
}

/**
 * The secondary's authorizer trusts the primary's Cognito pool and its site bucket the primary's
 * distribution; the primary's site headers allow the secondary's API: deploy parameters without
 * which serverless.yml does not resolve (infra/primary-user-pool.cjs, infra/site.cjs). There is no
 * Cognito or CloudFront locally (the local runtime checks tokens against
 * shared/auth/dev-identity.ts and serves web/dist itself): well-formed local names.
 */
function localParams(stage: string, region: string): string[] {
  const config = loadStageConfig(stage);
  if (region !== config.secondaryRegion)
    return [`--param=secondaryApiUrl=https://local.execute-api.${config.secondaryRegion}.amazonaws.com`];
  return [
    `--param=cognitoUserPoolId=${config.primaryRegion}_local`,
    '--param=cognitoUserPoolClientId=local',
    '--param=webDistributionId=ELOCAL',
  ];
}

/**
 * serverless.yml as `osls print` resolves it for one region of a stage: the single source of
 * truth for routes, functions, tables, buckets, schedules, alarms and state machines.
 * Cached by a hash of serverless.yml, infra/, state-machines/ and the services' functions.yml.
 */
export async function loadServiceDefinition(stage: string, region: string): Promise<ResolvedService> {
  const file = path.join(CACHE_DIR, `print-${stage}-${region}-${hashSources()}.json`);
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as ResolvedService;
  const bin = path.join(PROJECT_ROOT, 'node_modules', 'osls', 'bin', 'serverless.js');
  const params = localParams(stage, region);
  let stdout: string;
  try {
    ({ stdout } = await run(process.execPath, [bin, 'print', '--stage', stage, '--region', region, '--format', 'json', ...params], {
      cwd: PROJECT_ROOT,
      maxBuffer: 32 * 1024 * 1024,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
    }));
  } catch (error) {
    const output = (error as { stdout?: string; stderr?: string }).stderr || (error as { stdout?: string }).stdout || String(error);
    throw new Error(`serverless.yml could not be resolved for stage ${stage}, region ${region}:\n${output.trim()}`);
  }
  const start = stdout.indexOf('{');
  const parsed = JSON.parse(stdout.slice(start)) as ResolvedService;
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(parsed));
  return parsed;
}
