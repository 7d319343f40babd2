// npm run drill -- <scenario> [--rate N] [--short] [--all] [--repeat N]
// Starts a fresh embedded two-region runtime (on free ports, so it never disturbs `npm start`),
// runs the scenario under load and prints the figures; reports go to reports/. Exit code 1 when
// an invariant broke, 2 on bad usage.
import { parseArgs } from 'node:util';
import { repeatTable } from '../local/drills/repeat';
import { type DrillResult, runDrill } from '../local/drills/run';
import { SCENARIOS } from '../local/drills/scenarios';

const usage = `usage: npm run drill -- <scenario|--all> [--rate N] [--short] [--repeat N]
  --repeat N   run each scenario N times (fresh runtime each) and print the spread of the figures
scenarios:
${Object.entries(SCENARIOS)
  .map(([name, s]) => `  ${name.padEnd(20)} ${s.description}`)
  .join('\n')}`;

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const names = values.all ? Object.keys(SCENARIOS) : positionals;
  const unknown = names.filter((n) => !SCENARIOS[n]);
  if (names.length === 0 || unknown.length > 0) {
    console.error(`${unknown.length ? `unknown scenario: ${unknown.join(', ')}\n` : ''}${usage}`);
    return 2;
  }
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && !(rate > 0 && rate <= 1000)) {
    console.error('--rate must be a number of requests per second between 1 and 1000');
    return 2;
  }
  const repeat = values.repeat === undefined ? 1 : Number(values.repeat);
  if (!(Number.isInteger(repeat) && repeat >= 1 && repeat <= 20)) {
    console.error('--repeat must be a whole number of runs between 1 and 20');
    return 2;
  }
  let failed = 0;
  const couldNotRun: string[] = [];
  for (const scenario of names) {
    const runs: DrillResult[] = [];
    for (let run = 1; run <= repeat; run += 1) {
      // A drill that cannot run (its runtime did not start, say) is reported and the next one
      // runs: a long --all is not lost to one of them.
      const result = await runOnce(scenario, run, repeat, rate, values.short === true).catch((error: Error) => {
        console.error(`  drill ${scenario} could not run: ${error.message}`);
        couldNotRun.push(scenario);
        return null;
      });
      if (result) runs.push(result);
      if (!result?.ok) failed += 1;
    }
    if (repeat > 1 && runs.length > 1) {
      const { table, repeatable } = repeatTable(runs.map((r) => r.figures));
      console.log(`\nDrill ${scenario}, ${runs.length} runs:\n${table}`);
      if (!repeatable) failed += 1;
    }
  }
  if (couldNotRun.length > 0) console.error(`\nCould not run: ${couldNotRun.join(', ')}`);
  return failed > 0 ? 1 : 0;
}

async function runOnce(scenario: string, run: number, of: number, rate: number | undefined, short: boolean): Promise<DrillResult> {
  console.log(`\nDrill ${scenario}${of > 1 ? ` (run ${run} of ${of})` : ''}: ${SCENARIOS[scenario]?.description}`);
  const live = process.stdout.isTTY;
  const result = await runDrill({
    scenario,
    ...(rate ? { rate } : {}),
    short,
    progress: (line, isLive) => {
      if (isLive) {
        if (live) process.stdout.write(`\r\x1b[2K${line}`);
        return;
      }
      process.stdout.write(live ? `\r\x1b[2K${line}\n` : `${line}\n`);
    },
  });
  if (live) process.stdout.write('\r\x1b[2K');
  console.log(`\n${result.table}\n\n  report: ${result.htmlPath}\n  data:   ${result.jsonPath}`);
  console.log(result.ok ? '  all invariants held' : '  INVARIANT BROKEN');
  return result;
}

function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      rate: { type: 'string' },
      repeat: { type: 'string' },
      short: { type: 'boolean' },
      all: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`drill failed: ${error.message}`);
    process.exit(1);
  },
);
