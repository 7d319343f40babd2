// npm run bench: figures, no assertions.
//   1. Per function: the packaged Lambda artifact (.serverless-<primary>/<fn>.zip, built by
//      `npm run package:all` if missing): zip size and bundle size.
//   2. Cold init: a fresh Node process loading that bundle (median of --cold-runs).
//   3. Throughput of the state API handler, in process, against a real DynamoDB Local.
// Options: --cold-runs N (default 5), --seconds S (default 5), --concurrency C (default 16).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import '../local/polyfills';
import { loadStageConfig } from '../infra/stage-config.cjs';
import { tablesOf } from '../local/cfn';
import { ensureTables, LOCAL_CREDENTIALS, localDynamoClient, startDynamoDbLocal } from '../local/dynamodb-local';
import { buildRegionTopology } from '../local/runtime/topology';
import { loadServiceDefinition, PROJECT_ROOT } from '../local/service-definition';

const { values } = parseArgs({
  options: {
    'cold-runs': { type: 'string', default: '5' },
    seconds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '16' },
  },
});
const coldRuns = Number(values['cold-runs']);
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);

const stage = loadStageConfig('dev');
const region = stage.primaryRegion;
const artifacts = path.join(PROJECT_ROOT, `.serverless-${region}`);

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

function dirSize(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const full = path.join(dir, entry.name);
    return sum + (entry.isDirectory() ? dirSize(full) : fs.statSync(full).size);
  }, 0);
}

async function main() {
  if (!fs.existsSync(path.join(artifacts, 'getState.zip'))) {
    console.log(`No packaged artifacts in ${path.relative(PROJECT_ROOT, artifacts)}/: running npm run package:all first…`);
    execFileSync('npm', ['run', '--silent', 'package:all'], { stdio: 'inherit', cwd: PROJECT_ROOT });
  }
  const definition = await loadServiceDefinition('dev', region);
  const topology = buildRegionTopology(definition, definition);

  console.log(`\nSwitchyard bench · ${os.cpus().length} cores · Node ${process.version} · stage dev, ${region}`);
  console.log(`\n1-2. Lambda artifacts and cold init (fresh node process requiring the bundle, median of ${coldRuns})\n`);
  console.log(`${'function'.padEnd(32)}${'zip'.padStart(12)}${'bundle'.padStart(12)}${'cold init'.padStart(12)}`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-bench-'));
  try {
    for (const fn of topology.functions) {
      const zip = path.join(artifacts, `${fn.key}.zip`);
      if (!fs.existsSync(zip)) continue;
      const dir = path.join(scratch, fn.key);
      execFileSync('python3', ['-m', 'zipfile', '-e', zip, dir]);
      const handlerFile = path.join(dir, `${fn.handler.slice(0, fn.handler.lastIndexOf('.'))}.js`);
      // The function's own environment, with dummy credentials: init must not call AWS.
      const env = { ...process.env, ...fn.environment, AWS_REGION: region, AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' };
      const times: number[] = [];
      let failure = '';
      for (let run = 0; run < coldRuns; run += 1) {
        const probe = `const t=process.hrtime.bigint();require(${JSON.stringify(handlerFile)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
        const result = spawnSync(process.execPath, ['-e', probe], { env, encoding: 'utf8' });
        if (result.status !== 0) {
          failure = (result.stderr.split('\n').find((l) => /Error/.test(l)) ?? 'failed').slice(0, 60);
          break;
        }
        times.push(Number(result.stdout));
      }
      const cold = failure || `${median(times).toFixed(0)} ms`;
      console.log(`${fn.key.padEnd(32)}${kb(fs.statSync(zip).size).padStart(12)}${kb(dirSize(dir)).padStart(12)}${cold.padStart(12)}`);
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }

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
