// npm run drill -- <scenario> [--rate N] [--short] [--all]
// Starts a fresh embedded two-region runtime (on free ports, so it never disturbs `npm start`),
// runs the scenario under load and prints the figures; reports go to reports/. Exit code 1 when
// an invariant broke, 2 on bad usage.
import { parseArgs } from 'node:util';
import { runDrill } from '../local/drills/run';
import { SCENARIOS } from '../local/drills/scenarios';

const usage = `usage: npm run drill -- <scenario|--all> [--rate N] [--short]
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
  let failed = 0;
  for (const scenario of names) {
    console.log(`\nDrill ${scenario}: ${SCENARIOS[scenario]?.description}`);
    const live = process.stdout.isTTY;
    const result = await runDrill({
      scenario,
      ...(rate ? { rate } : {}),
      short: values.short === true,
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
    if (!result.ok) failed += 1;
  }
  return failed > 0 ? 1 : 0;
}

function parse() {
  return parseArgs({
    allowPositionals: true,
    options: { rate: { type: 'string' }, short: { type: 'boolean' }, all: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`drill failed: ${error.message}`);
    process.exit(1);
  },
);
