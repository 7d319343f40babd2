// Packages the default stage for BOTH of its regions, offline, into
// .serverless-<region>/ so template tests can read each CloudFormation template. The secondary is
// packaged with package-only deploy parameters (scripts/package-params.ts): never deploy that package.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadStageConfig } from '../infra/stage-config.cjs';
import { packageParams } from './package-params';

const run = promisify(execFile);
const root = path.resolve(__dirname, '..');
const stage = process.argv[2] ?? 'dev';

async function packageRegion(region: string, params: string[]): Promise<void> {
  const started = Date.now();
  const bin = path.join(root, 'node_modules', 'osls', 'bin', 'serverless.js');
  // serverless-esbuild 1.57 zips each function from a folder in the temp dir and then removes it
  // without `recursive`, which fails on a folder with files and is ignored: 20 folders left in
  // /tmp at every packaging. They go into a folder of this run, removed after it.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-package-'));
  try {
    await run(process.execPath, [bin, 'package', '--stage', stage, '--region', region, '--package', `.serverless-${region}`, ...params], {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', TMPDIR: scratch },
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`osls package failed for ${stage}/${region}:\n${(e.stderr || e.stdout || String(error)).trim()}`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const note = params.length > 0 ? ' (package-only deploy parameters: not deployable)' : '';
  console.log(`packaged ${stage}/${region} into .serverless-${region}/ in ${((Date.now() - started) / 1000).toFixed(1)} s${note}`);
}

async function main(): Promise<void> {
  const config = loadStageConfig(stage);
  // Sequential: two esbuild runs at once on 2 cores gain little and double peak memory.
  await packageRegion(config.primaryRegion, packageParams(config, config.primaryRegion));
  await packageRegion(config.secondaryRegion, packageParams(config, config.secondaryRegion));
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
