// npm run chaos -- <command> …  (talks to a running `npm start`; --help lists the commands)
import { CONTROL_TOKEN_HEADER } from '../runtime/control-server';
import { readRuntimeFile } from './runtime-file';

const USAGE = `Usage: npm run chaos -- <command>
  cut <region> [--hang]          the region goes dark, to its own clients too: its endpoints (API, DynamoDB,
                                 S3, quorum door) refuse (or hang), its replication and schedules stop, its
                                 quorum replica takes part in nothing
  heal <region>                  the region comes back; queued replication is delivered, its quorum copy catches up
  cut-link | heal-link           cut or heal replication only (both directions); cross-region calls and the
                                 quorum are untouched
  partition <region> [--hang]    the region keeps serving its own clients (API, DynamoDB, S3, eventually
                                 consistent quorum reads) and loses everything across regions: replication both
                                 ways (queued), its calls to the peer and the peer's calls to it (refused, or
                                 hanging), and the quorum (it reaches neither the peer nor the witness: 1 of 3,
                                 so its quorum writes and strong reads fail)
  heal-partition <region>        undo it: queued replication is delivered, its quorum copy catches up
  partition-link [--hang]        the two regions cannot see each other (replication, cross-region calls, the
                                 replica-to-replica quorum link); both still reach the witness (2 of 3 each)
  heal-partition-link            undo it
  witness down | witness up      the quorum's witness region goes away or comes back
  quorum-latency <ms>            the cross-region round trip of quorum writes and strong reads (default 15)
  lag <ms> [--fixed]             mean replication delay per change (each item and object draws its own;
                                 --fixed: every change exactly <ms>)
  slow <region> <api|dynamodb|s3|quorum> <ms> [--responses]
                                 add latency to one dependency (0 removes it); --responses: to its answers
                                 alone (the request acts at once, the caller hears late: a slow dependency
                                 between a function's calls, as in the slow-write drill)
  slow-replication <table|s3> <ms> [--prefix <pk prefix>] [--from <region>]
                                 replication of one table (name or suffix, e.g. comments), one key range
                                 of it (a hot partition, e.g. --prefix PHOTO#01J…) or S3 objects alone
                                 takes <ms> longer (0 removes that rule)
  clear-slow-replication         remove every replication slow rule
  status                         regions, faults, partitions, the quorum (who reaches whom, majority),
                                 replication delays, slow rules, pending per table, alarms`;

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  if (!command || command === '--help' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const runtime = readRuntimeFile();
  if (!runtime?.controlUrl) {
    console.error('Switchyard is not running: start it with `npm start` in another terminal.');
    return 1;
  }
  if (command === 'status') {
    const res = await fetch(`${runtime.controlUrl}/__switchyard/status`);
    const status = (await res.json()) as {
      regions: Array<{
        region: string;
        role: string;
        cut: boolean;
        partitioned: boolean;
        faults: Record<string, { mode: string; delayMs: number; delayDirection?: string }>;
        crossRegion: { to: string; doors: Record<string, { mode: string }> };
      }>;
      partitions: { regions: string[]; link: boolean };
      quorum: {
        latencyMs: number;
        witness: { region: string; up: boolean };
        regions: Array<{ region: string; reaches: string[]; votes: number; hasMajority: boolean; catchUpPending: number }>;
      };
      replication: {
        linkCut: boolean;
        delays: { describe: string; slowRules: Array<{ describe: string }> };
        stats: Array<{
          table: string;
          from: string;
          to: string;
          lastLagMs: number | null;
          maxLagMs: number | null;
          pending: number;
          oldestPendingAgeMs: number | null;
        }>;
      };
      alarms: Array<{ region: string; name: string; state: string }>;
    };
    for (const r of status.regions) {
      const faults = Object.entries(r.faults)
        .filter(([, f]) => f.mode !== 'up' || f.delayMs > 0)
        .map(([d, f]) => `${d}:${f.mode}${f.delayMs ? `+${f.delayMs}ms${f.delayDirection === 'responses' ? ' on answers' : ''}` : ''}`);
      const crossMode = Object.values(r.crossRegion.doors).find((d) => d.mode !== 'up')?.mode;
      console.log(
        `${r.region} (${r.role}): ${r.cut ? 'CUT' : r.partitioned ? 'PARTITIONED' : 'up'}${faults.length ? ` [${faults.join(', ')}]` : ''}` +
          `; calls to ${r.crossRegion.to}: ${crossMode ? `cut (${crossMode})` : 'open'}`,
      );
    }
    console.log(
      `partitions: ${[...status.partitions.regions.map((r) => `region ${r}`), ...(status.partitions.link ? ['link'] : [])].join(', ') || 'none'}`,
    );
    const q = status.quorum;
    console.log(`quorum: witness ${q.witness.region} ${q.witness.up ? 'up' : 'DOWN'}, cross-region latency ${q.latencyMs} ms`);
    for (const r of q.regions) {
      console.log(
        `  ${r.region}: ${r.votes} of 3 (reaches ${r.reaches.join(' and ') || 'nobody'}) → ${r.hasMajority ? 'majority: writes and strong reads served' : 'NO MAJORITY: only eventually consistent reads'}` +
          `${r.catchUpPending ? `, ${r.catchUpPending} item(s) to catch up` : ''}`,
      );
    }
    const held = status.partitions.link || status.partitions.regions.length > 0 || status.regions.some((r) => r.cut);
    const { delays } = status.replication;
    console.log(
      `replication: ${status.replication.linkCut ? 'LINK CUT' : held ? 'held where a cut or partition is' : 'flowing'}, delay per change ${delays.describe}`,
    );
    for (const rule of delays.slowRules) console.log(`  slow rule: ${rule.describe}`);
    for (const s of status.replication.stats) {
      console.log(
        `  ${s.table.padEnd(40)} ${s.from} → ${s.to}  last ${s.lastLagMs ?? '-'} ms  max ${s.maxLagMs ?? '-'} ms  pending ${s.pending}` +
          (s.oldestPendingAgeMs !== null ? `  oldest pending ${s.oldestPendingAgeMs} ms` : ''),
      );
    }
    for (const a of status.alarms) console.log(`alarm ${a.region} ${a.name}: ${a.state}`);
    return 0;
  }
  const hang = rest.includes('--hang');
  const fixed = rest.includes('--fixed');
  const flagValue = (flag: string): string | undefined => {
    const at = rest.indexOf(flag);
    return at >= 0 ? rest[at + 1] : undefined;
  };
  const prefix = flagValue('--prefix');
  const from = flagValue('--from');
  const args = rest.filter((a, i) => !a.startsWith('--') && rest[i - 1] !== '--prefix' && rest[i - 1] !== '--from');
  let request: Record<string, unknown>;
  switch (command) {
    case 'cut':
      request = { action: 'cut', region: args[0], mode: hang ? 'hang' : 'refuse' };
      break;
    case 'heal':
      request = { action: 'heal', region: args[0] };
      break;
    case 'cut-link':
    case 'heal-link':
      request = { action: command };
      break;
    case 'lag':
      request = { action: 'lag', ms: Number(args[0]), fixed };
      break;
    case 'slow-replication':
      request = {
        action: 'slow-replication',
        target: args[0],
        ms: Number(args[1]),
        ...(prefix ? { keyPrefix: prefix } : {}),
        ...(from ? { region: from } : {}),
      };
      break;
    case 'clear-slow-replication':
      request = { action: command };
      break;
    case 'slow':
      request = { action: 'slow', region: args[0], dependency: args[1], ms: Number(args[2]), responses: rest.includes('--responses') };
      break;
    case 'partition':
      request = { action: 'partition', region: args[0], mode: hang ? 'hang' : 'refuse' };
      break;
    case 'heal-partition':
      request = { action: 'heal-partition', region: args[0] };
      break;
    case 'partition-link':
      request = { action: 'partition-link', mode: hang ? 'hang' : 'refuse' };
      break;
    case 'heal-partition-link':
      request = { action: 'heal-partition-link' };
      break;
    case 'witness':
      if (args[0] !== 'down' && args[0] !== 'up') {
        console.error(`"witness" needs down or up\n\n${USAGE}`);
        return 2;
      }
      request = { action: `witness-${args[0]}` };
      break;
    case 'quorum-latency':
      request = { action: 'quorum-latency', ms: Number(args[0]) };
      break;
    default:
      console.error(`Unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
  const res = await fetch(`${runtime.controlUrl}/__switchyard/chaos`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [CONTROL_TOKEN_HEADER]: runtime.controlToken ?? '' },
    body: JSON.stringify(request),
  });
  const body = (await res.json()) as { ok: boolean; message: string };
  (body.ok ? console.log : console.error)(body.message);
  return body.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
