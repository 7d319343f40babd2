// npm run chaos -- <cut|heal|cut-link|heal-link|lag|slow|slow-replication|clear-slow-replication|status> …  (talks to a running `npm start`)
import { readRuntimeFile } from './runtime-file';

const USAGE = `Usage: npm run chaos -- <command>
  cut <region> [--hang]          the region goes dark: endpoints refuse (or hang), replication and schedules stop
  heal <region>                  the region comes back; queued replication is delivered
  cut-link | heal-link           cut or heal replication only (both directions)
  lag <ms> [--fixed]             mean replication delay per change (each item and object draws its own;
                                 --fixed: every change exactly <ms>)
  slow <region> <api|dynamodb|s3> <ms>   add latency to one dependency (0 removes it)
  slow-replication <table|s3> <ms> [--prefix <pk prefix>] [--from <region>]
                                 replication of one table (name or suffix, e.g. comments), one key range
                                 of it (a hot partition, e.g. --prefix PHOTO#01J…) or S3 objects alone
                                 takes <ms> longer (0 removes that rule)
  clear-slow-replication         remove every replication slow rule
  status                         regions, faults, replication delays, slow rules, pending per table, alarms`;

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  if (!command || command === '--help' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const runtime = readRuntimeFile();
  if (!runtime || !runtime.controlUrl) {
    console.error('Switchyard is not running: start it with `npm start` in another terminal.');
    return 1;
  }
  if (command === 'status') {
    const res = await fetch(`${runtime.controlUrl}/__switchyard/status`);
    const status = (await res.json()) as {
      regions: Array<{ region: string; role: string; cut: boolean; faults: Record<string, { mode: string; delayMs: number }> }>;
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
        .map(([d, f]) => `${d}:${f.mode}${f.delayMs ? `+${f.delayMs}ms` : ''}`);
      console.log(`${r.region} (${r.role}): ${r.cut ? 'CUT' : 'up'}${faults.length ? ` [${faults.join(', ')}]` : ''}`);
    }
    const { delays } = status.replication;
    console.log(`replication: ${status.replication.linkCut ? 'LINK CUT' : 'flowing'}, delay per change ${delays.describe}`);
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
      request = { action: 'slow', region: args[0], dependency: args[1], ms: Number(args[2]) };
      break;
    default:
      console.error(`Unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
  const res = await fetch(`${runtime.controlUrl}/__switchyard/chaos`, { method: 'POST', body: JSON.stringify(request) });
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
