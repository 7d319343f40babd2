// `npm run bench -- --idle` and `npm run bench -- --load`: the embedded runtime's own cost.
//   --idle: both regions up, probes running, no client: CPU share of one core, split by process.
//   --load: the drill's client mix (web/src/region-client.ts, 30 % writes) at --rate requests/s
//           (default 80: twice the drills' default on 2 cores) for --load-seconds: probe rounds
//           that timed out, replication lag p99 per table and direction, CPU share.
// Figures, no assertions (issue 17's goals are printed beside them, ok or MISS).
import fs from 'node:fs';
import os from 'node:os';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { loadStageConfig } from '../infra/stage-config.cjs';
import { startLoadThread } from '../local/drills/load-thread';
import { seedPhoto, steadyStart } from '../local/drills/run';
import { appStateTable, documentClient } from '../local/drills/runbooks';
import { type Runtime, startRuntime } from '../local/runtime';
import { issueDevToken } from '../shared/auth/dev-identity';
import { type HealthRecord, healthRecordKey } from '../shared/health/record';
import type { RegionConfig } from '../web/src/state';
import { type CpuSample, loadFigures, probeRounds, renderIdle, renderLoad } from './bench-load-figures';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CLOCK_TICKS = 100; // USER_HZ on Linux: /proc/<pid>/stat counts utime and stime in 1/100 s.

interface ProcCpu {
  pid: number;
  name: string;
  ticks: number;
}

/** This process and every process below it, from /proc (Linux); empty elsewhere. */
function processTree(root = process.pid): ProcCpu[] {
  if (!fs.existsSync('/proc/self/stat')) return [];
  const all: Array<ProcCpu & { ppid: number }> = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid … utime(14) stime(15): comm may hold spaces, so split after the ')'.
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      all.push({
        pid: Number(entry),
        ppid: Number(fields[1]),
        ticks: Number(fields[11]) + Number(fields[12]),
        name: /DynamoDBLocal/.test(cmdline) ? 'DynamoDB Local (java)' : stat.slice(stat.indexOf('(') + 1, close),
      });
    } catch {
      // The process ended while being read.
    }
  }
  const inTree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (!inTree.has(p.pid) && inTree.has(p.ppid)) {
        inTree.add(p.pid);
        grew = true;
      }
    }
  }
  return all
    .filter((p) => inTree.has(p.pid))
    .map(({ pid, name, ticks }) => ({ pid, name: pid === root ? 'runtime (node, functions, S3)' : name, ticks }));
}

/** CPU used between two readings of the tree, in total and per process. */
function cpuBetween(
  before: ProcCpu[],
  after: ProcCpu[],
  wallSeconds: number,
): { total: CpuSample; parts: Array<{ name: string; cpu: CpuSample }> } {
  const start = new Map(before.map((p) => [p.pid, p.ticks]));
  const parts = after.map((p) => ({ name: p.name, cpu: { cpuSeconds: (p.ticks - (start.get(p.pid) ?? 0)) / CLOCK_TICKS, wallSeconds } }));
  return { total: { cpuSeconds: parts.reduce((sum, p) => sum + p.cpu.cpuSeconds, 0), wallSeconds }, parts };
}

async function steadyRuntime(say: (line: string) => void): Promise<{ rt: Runtime; token: string; photoId: string }> {
  const rt = await startRuntime({ portBase: 0, progress: (line) => say(`  ${line}`) });
  const token = await issueDevToken({ sub: 'bench-load', name: 'Bench load', ttlSeconds: 3600 });
  say('Seeding a photo and waiting for both regions to be healthy…');
  const photoId = await seedPhoto(rt, token);
  await steadyStart(rt, token, photoId);
  return { rt, token, photoId };
}

export async function benchIdle(seconds: number, say: (line: string) => void): Promise<string> {
  const { rt } = await steadyRuntime(say);
  try {
    // Let start-up work (first replication of the seed, first alarm evaluations) pass.
    await sleep(5000);
    say(`Measuring ${seconds} s with no client…`);
    const before = processTree();
    const startedAt = Date.now();
    await sleep(seconds * 1000);
    const { total, parts } = cpuBetween(before, processTree(), (Date.now() - startedAt) / 1000);
    return renderIdle(total, parts);
  } finally {
    await rt.stop();
  }
}

/**
 * `--load`. Before the measured load, a warm-up at half its rate (not measured), as a load test
 * ramps up: a fresh runtime's first seconds at 80 requests/s meet JVMs and V8 that have not
 * compiled their hot paths yet, answers took 2–3.6 s in them, and whether the client's timeouts
 * then fired (and their retries kept the machine saturated) decided the whole run. AWS has no such
 * warm-up; the measured minute is the sustained rate the goal names.
 */
export async function benchLoad(
  options: { rate: number; seconds: number; warmUpSeconds?: number },
  say: (line: string) => void,
): Promise<string> {
  const { rt, token, photoId } = await steadyRuntime(say);
  const stage = loadStageConfig(rt.stage);
  const table = appStateTable(rt);
  const records: HealthRecord[] = [];
  const clients = rt.regions.map((r) => ({ region: r.region, client: documentClient(rt, r.region) }));
  const readRecords = async () => {
    for (const { region, client } of clients) {
      const out = await client
        .send(new GetCommand({ TableName: table, Key: healthRecordKey(stage.appId, region), ConsistentRead: true }))
        .catch(() => undefined);
      if (out?.Item) records.push(out.Item as HealthRecord);
    }
  };
  try {
    const regions: RegionConfig[] = rt.regions.map((r) => ({ region: r.region, role: r.role as RegionConfig['role'], apiUrl: r.apiUrl }));
    const warmUpSeconds = options.warmUpSeconds ?? 10;
    if (warmUpSeconds > 0) {
      say(`Warm-up: ${options.rate / 2} requests/s for ${warmUpSeconds} s (not measured)…`);
      const warm = await startLoadThread({ regions, token, photoId, rate: options.rate / 2 });
      warm.start();
      await sleep(warmUpSeconds * 1000);
      await warm.stop();
    }
    const load = await startLoadThread({ regions, token, photoId, rate: options.rate });
    say(`Load: ${options.rate} requests/s for ${options.seconds} s…`);
    const before = processTree();
    const startedAt = Date.now();
    load.start();
    // One reading per region and probe period (1 s locally) sees every round's record.
    while (Date.now() - startedAt < options.seconds * 1000) {
      const tick = Date.now();
      await readRecords();
      say(
        `  ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(3)} s  ${load.attempts.length} requests, ${load.acked.length} writes acknowledged`,
      );
      await sleep(Math.max(0, 500 - (Date.now() - tick)));
    }
    const wallSeconds = (Date.now() - startedAt) / 1000;
    const { total } = cpuBetween(before, processTree(), wallSeconds);
    await load.stop();
    const figures = loadFigures({
      rateAsked: options.rate,
      seconds: wallSeconds,
      attempts: load.attempts.filter((a) => a.at - startedAt <= wallSeconds * 1000),
      statePolls: load.samples.filter((p) => p.at >= startedAt && p.at - startedAt <= wallSeconds * 1000).length,
      acked: load.acked.length,
      probes: rt.regions.map((r) => probeRounds(r.region, records)),
      stats: rt.replicator.stats(),
      cpu: total,
      loadAverage: os.loadavg()[0] ?? 0,
    });
    return renderLoad(figures);
  } finally {
    await rt.stop();
  }
}
