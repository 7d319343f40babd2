// On-call CLI for the runbooks (RUNBOOK.md). Starts the fence / failover / failback state
// machines and follows each step live from the execution history, or shows the state, the
// history and a run's report. Talks to Step Functions and DynamoDB through the AWS SDK only, so
// the same command works against AWS and against the local runtime (AWS_ENDPOINT_URL_SFN,
// SWITCHYARD_REGION_ENDPOINTS / AWS_ENDPOINT_URL_DYNAMODB).
//
//   npm run runbook -- <fence|failover|failback|status|history|report> --stage <s> --region <r>
//        [--reason "…"] [--dry-run] [--ungraceful] [--force] [--lift] [--expected-version N]
//        [--primary-healthy] [--as <name>] [--execution <name|arn>] [--limit N] [--no-follow] [--local]
//   --local: against the running `npm start` instead of AWS. --help / -h on any command.
//
// Exit codes: 0 success (a practice run that would succeed) · 1 the run failed or was refused ·
// 2 bad usage or configuration · 3 a practice run found something that would stop the real one.
// The parts: ./runbook/args.ts (options, help, who), ./runbook/commands.ts (the AWS calls),
// ./runbook/render.ts (what is printed).
import { readRuntimeFile } from '../local/cli/runtime-file';
import { EXIT } from './runbook/args';
import { type Io, main } from './runbook/commands';

export { stateMachineName } from '../state-machines/names';
export * from './runbook/args';
export { type Io, main } from './runbook/commands';
export * from './runbook/render';

if (require.main === module) {
  const io: Io = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    env: process.env,
  };
  // --local: talk to the running `npm start` (its endpoints and local credentials) instead of AWS.
  const argv = process.argv.slice(2);
  const local = argv.includes('--local');
  if (local) {
    const runtime = readRuntimeFile();
    if (!runtime) {
      process.stderr.write('runbook: --local needs the embedded runtime: start it with `npm start` first\n');
      process.exit(EXIT.usage);
    }
    const { AWS_REGION: _r, AWS_DEFAULT_REGION: _d, ...env } = runtime.regions[0]?.env ?? {};
    Object.assign(process.env, env);
  }
  main(
    argv.filter((a) => a !== '--local'),
    io,
  ).then((code) => {
    process.exitCode = code;
  });
}
