// npm run deploy:web -- --stage dev [--dry-run]
// Builds web/dist/, writes config.json from both regions' stack outputs and uploads them to the
// primary's site bucket (scripts/web-deploy.ts has the logic and its checks). Uses the default AWS
// credentials chain; needs cloudformation:DescribeStacks in both regions and s3:PutObject on the bucket.
import fs from 'node:fs';
import path from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { loadStageConfig } from '../infra/stage-config.cjs';
import { buildWeb, WEB_DIST } from '../web/build';
import { deployWeb, WebDeployRefused } from './web-deploy';
import { cloudFormationStacks, perRegion, s3SiteUploader } from './web-deploy-aws';

const SERVICE = 'switchyard';

function parseArgs(argv: string[]): { stage: string; dryRun: boolean } {
  let stage = 'dev';
  let dryRun = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--stage' && argv[i + 1]) stage = argv[++i] as string;
    else if (arg?.startsWith('--stage=')) stage = arg.slice('--stage='.length);
    else if (arg === '--dry-run') dryRun = true;
    else throw new WebDeployRefused(`Unknown argument ${arg}: usage npm run deploy:web -- --stage <stage> [--dry-run]`);
  }
  return { stage, dryRun };
}

function readTree(dir: string, prefix = ''): Array<{ key: string; body: Buffer }> {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const key = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return readTree(path.join(dir, entry.name), key);
    return entry.isFile() ? [{ key, body: fs.readFileSync(path.join(dir, entry.name)) }] : [];
  });
}

async function main(): Promise<void> {
  const { stage, dryRun } = parseArgs(process.argv.slice(2));
  const config = loadStageConfig(stage);
  await buildWeb(WEB_DIST);
  const cloudFormation = perRegion((region) => new CloudFormationClient({ region }));
  const s3 = perRegion((region) => new S3Client({ region }));
  const deps = { stacks: cloudFormationStacks(cloudFormation.get), uploader: s3SiteUploader(s3.get) };
  const result = await deployWeb(deps, { stage, service: SERVICE, config, files: readTree(WEB_DIST), dryRun }).finally(() => {
    cloudFormation.destroyAll();
    s3.destroyAll();
  });
  console.log(JSON.stringify(result.webConfig, null, 2));
  console.log(
    dryRun
      ? `dry run: nothing uploaded to ${result.bucket}`
      : `uploaded ${result.uploaded.length} files to ${result.bucket} (replicated to ${config.secondaryRegion}); the app is at ${result.siteUrl}`,
  );
}

main().catch((error: Error) => {
  console.error(error instanceof WebDeployRefused ? `${error.name}: ${error.message}` : (error.stack ?? String(error)));
  process.exit(1);
});
