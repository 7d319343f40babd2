// npm start: both regions of a stage on this machine. See README "Running locally".
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildWeb } from '../../web/build';
import { startControlServer } from '../runtime/control-server';
import { RUNTIME_DEFAULTS as D, startRuntime } from '../runtime/index';
import { PROJECT_ROOT } from '../service-definition';
import { RUNTIME_FILE, type RuntimeFile, readRuntimeFile } from './runtime-file';

const USAGE = `Usage: npm start -- [options]
  --stage <name>        stage from infra/stages/<name>.yml (default ${D.stage})
  --port-base <n>       first port of the block used (default ${D.startPortBase}; 0 = any free ports)
  --data-dir <folder>   keep DynamoDB and S3 data there across restarts (default: in memory)
  --lag <ms>            mean replication delay per change between the regions (default ${D.lagMs})
  --quorum-latency <ms> cross-region round trip of the quorum store's writes and strong reads (default ${D.quorumLatencyMs})
  --schedule-ms <ms>    how often the health probe runs a round (default ${D.scheduleIntervalMs}); other schedules run at their rate scaled to it
  --no-schedules        do not run scheduled functions
  --quiet               only the ready banner and errors`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      stage: { type: 'string', default: D.stage },
      'port-base': { type: 'string', default: process.env.SWITCHYARD_PORT_BASE ?? String(D.startPortBase) },
      'data-dir': { type: 'string' },
      lag: { type: 'string', default: String(D.lagMs) },
      'quorum-latency': { type: 'string', default: String(D.quorumLatencyMs) },
      'schedule-ms': { type: 'string', default: String(D.scheduleIntervalMs) },
      'no-schedules': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const numberOption = (name: string, value: string | undefined): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number ≥ 0 (got "${value}")\n\n${USAGE}`);
    return n;
  };
  const portBase = numberOption('port-base', values['port-base']);
  const lagMs = numberOption('lag', values.lag);
  const quorumLatencyMs = numberOption('quorum-latency', values['quorum-latency']);
  const scheduleIntervalMs = numberOption('schedule-ms', values['schedule-ms']);

  const running = readRuntimeFile();
  if (running) {
    console.error(
      `Switchyard is already running (pid ${running.pid}, stage ${running.stage}) at ${running.controlUrl}. Stop it first (Ctrl-C in its terminal, or kill ${running.pid}).`,
    );
    process.exit(1);
  }
  fs.mkdirSync(path.dirname(RUNTIME_FILE), { recursive: true });
  // Claim the file before starting anything, so that two starts at once cannot both proceed.
  try {
    fs.writeFileSync(RUNTIME_FILE, JSON.stringify({ pid: process.pid, starting: true }), { flag: 'wx', mode: 0o600 });
  } catch {
    console.error('Another `npm start` is starting right now; wait for it or stop it first.');
    process.exit(1);
  }

  const started = Date.now();
  const progress = (line: string) => {
    if (!values.quiet) console.log(`  [${((Date.now() - started) / 1000).toFixed(1).padStart(4)} s] ${line}`);
  };
  const logFile = fs.createWriteStream(path.join(PROJECT_ROOT, '.switchyard', 'runtime.log'), { flags: 'a' });
  const log = (line: string) => logFile.write(`${new Date().toISOString()} ${line}\n`);

  let stopping = false;
  let stop: () => Promise<void> = async () => {};
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping Switchyard…');
    await stop().catch((e: Error) => console.error(e.message));
    fs.rmSync(RUNTIME_FILE, { force: true });
    console.log('Stopped: every process it started has ended.');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGHUP', () => void shutdown(0));

  console.log(`Starting Switchyard (stage ${values.stage}) — both regions on this machine`);
  try {
    const runtime = await startRuntime({
      stage: values.stage,
      portBase,
      ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
      lagMs,
      quorumLatencyMs,
      scheduleIntervalMs,
      schedules: !values['no-schedules'],
      progress,
      log,
    });
    progress('Building the web app');
    const webDir = await buildWeb(path.join(PROJECT_ROOT, '.switchyard', 'web'));
    const control = await startControlServer(runtime, { port: portBase, webDir, log });
    stop = async () => {
      await control.stop();
      await runtime.stop();
      logFile.end();
    };
    const file: RuntimeFile = {
      pid: process.pid,
      stage: runtime.stage,
      controlUrl: control.url,
      controlToken: control.token,
      controlPlaneEndpoint: runtime.controlPlane.endpoint,
      regions: runtime.regions.map((r) => ({
        region: r.region,
        role: r.role,
        apiUrl: r.apiUrl,
        quorumEndpoint: r.quorumEndpoint,
        env: runtime.operatorEnv(r.region),
      })),
      startedAt: new Date().toISOString(),
    };
    // The control token is in it: readable by this user only.
    fs.writeFileSync(RUNTIME_FILE, JSON.stringify(file, null, 2), { mode: 0o600 });
    fs.chmodSync(RUNTIME_FILE, 0o600);
    const pad = (s: string) => s.padEnd(38);
    console.log(`
Switchyard is ready in ${((Date.now() - started) / 1000).toFixed(1)} s (stage ${runtime.stage}, data ${values['data-dir'] ? `in ${values['data-dir']}` : 'in memory'})

  ${pad('Web app')}${control.url}/
  ${pad('Runtime status')}${control.url}/__switchyard/status
  ${pad('Control token (chaos API)')}${control.token}  (npm run chaos reads it from .switchyard/runtime.json)
${runtime.regions
  .map(
    (r) => `
  ${r.region} (${r.role})
    ${pad('API (state, health, photos)')}${r.apiUrl}/state
    ${pad('DynamoDB')}${r.dynamodbEndpoint}
    ${pad('S3')}${r.s3Endpoint}  bucket ${r.bucket}
    ${pad('Quorum store (MRSC tables)')}${r.quorumEndpoint}`,
  )
  .join('\n')}

  ${pad('Quorum witness')}${runtime.quorum.membership.witness} (emulated)
  ${pad('AWS APIs (SSM, CloudWatch, SFN, SNS)')}${runtime.controlPlane.endpoint}
  ${pad('Logs')}.switchyard/runtime.log, .switchyard/logs/

  Try: npm run chaos -- cut ${runtime.primary.region}    npm run runbook -- status --local
  Ctrl-C stops everything.`);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE')
      console.error(`\nA port Switchyard needs is in use (${e.message}). Pass --port-base <n> (or 0 for any free ports).`);
    else console.error(`\nSwitchyard failed to start: ${e.message}`);
    await shutdown(1);
  }
}

main().catch((error: Error) => {
  console.error(error.message);
  fs.rmSync(RUNTIME_FILE, { force: true });
  process.exit(1);
});
