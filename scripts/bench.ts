// npm run bench: figures, no assertions.
//   1. Per function: the packaged Lambda artifact (.serverless-<primary>/<fn>.zip, built by
//      `npm run package:all` if missing): zip size, the code the handler loads, its source maps.
//   2. Cold init: a fresh Node process loading that bundle (median of --cold-runs, wall and CPU),
//      against the lean-functions budget of issue 17 (scripts/bench-functions.ts) and, when
//      reports/bench-baseline.json exists, beside the figures saved there (--save-baseline).
//   3. Throughput of the state API handler, in process, against a real DynamoDB Local.
// Options: --cold-runs N (default 5), --seconds S (default 5), --concurrency C (default 16),
//   --save-baseline (write sections 1-2 to the baseline file), --baseline FILE,
//   --why (each bundle's bytes by package, from an esbuild metafile built with custom.esbuild),
//   --functions-only (skip section 3).
// Runtime modes (scripts/bench-load.ts), instead of the sections above:
//   --idle [--idle-seconds S, default 30]: the two-region runtime's CPU with no client;
//   --load [--rate N, default 80] [--load-seconds S, default 60] [--warm-up-seconds S, default 10,
//   at half the rate, not measured; 0: none]: probe timeouts and replication lag p99 under the
//   drill's client mix.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type BuildOptions, build } from 'esbuild';
import '../local/polyfills';
import { loadStageConfig } from '../infra/stage-config.cjs';
import { tablesOf } from '../local/cfn';
import { localDynamoClient } from '../local/clients';
import { ensureTables, LOCAL_CREDENTIALS, startDynamoDbLocal } from '../local/dynamodb-local';
import { handlerSource } from '../local/runtime/bundle';
import { buildRegionTopology } from '../local/runtime/topology';
import { loadServiceDefinition, PROJECT_ROOT } from '../local/service-definition';
import { type Baseline, budgetSummary, bytesByPackage, type FunctionFigures, functionRows, renderTable } from './bench-functions';
import { benchIdle, benchLoad } from './bench-load';

const { values } = parseArgs({
  options: {
    'cold-runs': { type: 'string', default: '5' },
    seconds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '16' },
    'save-baseline': { type: 'boolean', default: false },
    baseline: { type: 'string', default: 'reports/bench-baseline.json' },
    why: { type: 'boolean', default: false },
    'functions-only': { type: 'boolean', default: false },
    idle: { type: 'boolean', default: false },
    'idle-seconds': { type: 'string', default: '30' },
    load: { type: 'boolean', default: false },
    rate: { type: 'string', default: '80' },
    'load-seconds': { type: 'string', default: '60' },
    'warm-up-seconds': { type: 'string', default: '10' },
  },
});
const coldRuns = Number(values['cold-runs']);
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const baselineFile = path.resolve(PROJECT_ROOT, values.baseline as string);

const stage = loadStageConfig('dev');
const region = stage.primaryRegion;
const artifacts = path.join(PROJECT_ROOT, `.serverless-${region}`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}
const loadAverage = () => (os.loadavg()[0] ?? 0).toFixed(1);
const sizeOf = (files: string[]) => files.reduce((sum, file) => sum + fs.statSync(file).size, 0);

// serverless-esbuild's own options, which it strips before calling esbuild (its dist/bundle.js).
const PLUGIN_OPTIONS = [
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
];

/** The esbuild options serverless-esbuild builds each function with, from serverless.yml's custom.esbuild. */
function packagingOptions(custom: Record<string, unknown>): BuildOptions {
  const configured = { ...((custom.esbuild as Record<string, unknown> | undefined) ?? {}) };
  const exclude = Array.isArray(configured.exclude) ? (configured.exclude as string[]) : [];
  const external = [...((configured.external as string[] | undefined) ?? []), ...exclude.filter((e) => e !== '*')];
  for (const key of PLUGIN_OPTIONS) delete configured[key];
  return { ...(configured as BuildOptions), external };
}

/** Where each function's bytes go: the same build as the package, with a metafile, printed by package. */
async function explainBundles(functions: Array<{ key: string; handler: string }>, options: BuildOptions): Promise<void> {
  console.log('\nBytes of each bundle by package (esbuild metafile, custom.esbuild options; largest first)\n');
  for (const fn of functions) {
    const { file } = handlerSource(fn.handler);
    const result = await build({
      ...options,
      entryPoints: [path.join(PROJECT_ROOT, file)],
      outdir: path.join(os.tmpdir(), 'switchyard-bench-why'),
      write: false,
      metafile: true,
      logLevel: 'error',
    });
    const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint);
    if (!output) continue;
    const top = bytesByPackage(output.inputs)
      .slice(0, 6)
      .map(([pkg, bytes]) => `${pkg} ${(bytes / 1024).toFixed(0)}`)
      .join(', ');
    console.log(`${fn.key.padEnd(30)}${`${(output.bytes / 1024).toFixed(0)} KiB`.padStart(9)}  ${top}`);
  }
}

function measureColdInit(handlerFile: string, env: NodeJS.ProcessEnv): { wall: number[]; cpu: number[]; failure?: string } {
  const wall: number[] = [];
  const cpu: number[] = [];
  // CPU time counts every thread of the process (V8 compiles on background threads too).
  const probe = `const c=process.cpuUsage();const t=process.hrtime.bigint();require(${JSON.stringify(handlerFile)});const w=Number(process.hrtime.bigint()-t)/1e6;const u=process.cpuUsage(c);process.stdout.write(JSON.stringify([w,(u.user+u.system)/1000]))`;
  for (let run = 0; run < coldRuns; run += 1) {
    const result = spawnSync(process.execPath, ['-e', probe], { env, encoding: 'utf8' });
    if (result.status !== 0)
      return { wall, cpu, failure: (result.stderr.split('\n').find((l) => /Error/.test(l)) ?? 'failed').slice(0, 60) };
    const [w, c] = JSON.parse(result.stdout) as [number, number];
    wall.push(w);
    cpu.push(c);
  }
  return { wall, cpu };
}

function readBaseline(): Baseline | undefined {
  if (!fs.existsSync(baselineFile)) return undefined;
  return JSON.parse(fs.readFileSync(baselineFile, 'utf8')) as Baseline;
}

async function runtimeMode(): Promise<boolean> {
  if (!values.idle && !values.load) return false;
  const positive = (name: 'idle-seconds' | 'rate' | 'load-seconds') => {
    const n = Number(values[name]);
    if (!(n > 0 && n <= 3600)) throw new Error(`--${name} must be a positive number (at most 3600)`);
    return n;
  };
  const warmUpSeconds = Number(values['warm-up-seconds']);
  if (!(warmUpSeconds >= 0 && warmUpSeconds <= 600)) throw new Error('--warm-up-seconds must be a number from 0 to 600');
  const say = (line: string) => console.log(line);
  console.log(`\nSwitchyard bench · ${os.cpus().length} cores · load ${loadAverage()} · Node ${process.version} · embedded runtime`);
  if (values.idle) console.log(`\n${await benchIdle(positive('idle-seconds'), say)}`);
  if (values.load) console.log(`\n${await benchLoad({ rate: positive('rate'), seconds: positive('load-seconds'), warmUpSeconds }, say)}`);
  return true;
}

async function main() {
  if (await runtimeMode()) return;
  if (!fs.existsSync(path.join(artifacts, 'getState.zip'))) {
    console.log(`No packaged artifacts in ${path.relative(PROJECT_ROOT, artifacts)}/: running npm run package:all first…`);
    execFileSync('npm', ['run', '--silent', 'package:all'], { stdio: 'inherit', cwd: PROJECT_ROOT });
  }
  const definition = await loadServiceDefinition('dev', region);
  const topology = buildRegionTopology(definition, definition);

  console.log(`\nSwitchyard bench · ${os.cpus().length} cores · load ${loadAverage()} · Node ${process.version} · stage dev, ${region}`);
  console.log(`\n1-2. Lambda artifacts and cold init (fresh node process requiring the bundle, median of ${coldRuns})\n`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-'));
  const figures: FunctionFigures[] = [];
  try {
    for (const fn of topology.functions) {
      const zip = path.join(artifacts, `${fn.key}.zip`);
      if (!fs.existsSync(zip)) continue;
      const dir = path.join(scratch, fn.key);
      execFileSync('python3', ['-m', 'zipfile', '-e', zip, dir]);
      const handlerFile = path.join(dir, `${fn.handler.slice(0, fn.handler.lastIndexOf('.'))}.js`);
      const files = filesUnder(dir);
      // The function's own environment (NODE_OPTIONS included), with dummy credentials: init must not call AWS.
      const env = { ...process.env, ...fn.environment, AWS_REGION: region, AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' };
      const { wall, cpu, failure } = measureColdInit(handlerFile, env);
      figures.push({
        key: fn.key,
        zipBytes: fs.statSync(zip).size,
        codeBytes: sizeOf(files.filter((f) => /\.[cm]?js$/.test(f))),
        mapBytes: sizeOf(files.filter((f) => f.endsWith('.map'))),
        coldInitMs: failure ? null : median(wall),
        coldInitCpuMs: failure ? null : median(cpu),
        ...(failure ? { failure } : {}),
      });
      if (process.stdout.isTTY) process.stdout.write(`  ${fn.key}\r`);
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const baseline = values['save-baseline'] ? undefined : readBaseline();
  console.log(
    renderTable(['function', 'zip', 'code (loaded)', 'source maps', 'cold init wall / cpu', 'budget'], functionRows(figures, baseline)),
  );
  console.log(`\n${budgetSummary(figures)}`);
  if (baseline) console.log(`"was": ${path.relative(PROJECT_ROOT, baselineFile)}, measured ${baseline.measuredAt} (${baseline.note})`);
  if (values['save-baseline']) {
    fs.mkdirSync(path.dirname(baselineFile), { recursive: true });
    const saved: Baseline = {
      measuredAt: new Date().toISOString(),
      note: `${os.cpus().length} cores, load ${loadAverage()}, Node ${process.version}, median of ${coldRuns}`,
      functions: figures,
    };
    fs.writeFileSync(baselineFile, `${JSON.stringify(saved, null, 2)}\n`);
    console.log(`Saved as the baseline: ${path.relative(PROJECT_ROOT, baselineFile)}`);
  }
  if (values.why) await explainBundles(topology.functions, packagingOptions(definition.custom));
  if (values['functions-only']) return;

  console.log(`\n3. GET /state handler in process against DynamoDB Local (${concurrency} concurrent, ${seconds} s)\n`);
  const ddb = await startDynamoDbLocal();
  try {
    await ensureTables(localDynamoClient(ddb.endpoint, region), tablesOf(definition.resources?.Resources, { region }));
    const getState = topology.functions.find((f) => f.key === 'getState');
    if (!getState) throw new Error('getState is not in serverless.yml');
    Object.assign(process.env, getState.environment, {
      AWS_REGION: region,
      AWS_ENDPOINT_URL_DYNAMODB: ddb.endpoint,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    });
    const { handler } = (await import('../services/state-api/get-state-handler')) as {
      handler: (event: unknown, context: unknown) => Promise<{ statusCode: number }>;
    };
    const event = {
      version: '2.0',
      routeKey: 'GET /state',
      rawPath: '/state',
      rawQueryString: '',
      headers: { host: 'bench' },
      requestContext: { http: { method: 'GET', path: '/state', sourceIp: '127.0.0.1' }, requestId: 'bench', stage: '$default' },
      isBase64Encoded: false,
    };
    const context = { functionName: 'bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 10_000 };
    // Warm up (first call creates the client and opens connections).
    for (let i = 0; i < 50; i += 1) await handler(event, context);
    const latencies: number[] = [];
    let errors = 0;
    const end = Date.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < end) {
          const t = process.hrtime.bigint();
          const res = await handler(event, context);
          latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
          if (res.statusCode !== 200) errors += 1;
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    console.log(`requests   ${latencies.length} (${errors} not 200)`);
    console.log(`throughput ${(latencies.length / seconds).toFixed(0)} req/s`);
    console.log(
      `latency    p50 ${percentile(latencies, 50).toFixed(1)} ms · p95 ${percentile(latencies, 95).toFixed(1)} ms · p99 ${percentile(latencies, 99).toFixed(1)} ms`,
    );
  } finally {
    await ddb.stop();
  }
}

main().catch((error) => {
  console.error(`bench failed: ${(error as Error).message}`);
  process.exit(1);
});
