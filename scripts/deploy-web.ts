// npm run deploy:web -- --stage dev [--dry-run]
// Builds web/dist/, writes config.json from both regions' stack outputs and uploads them to the
// primary's site bucket (scripts/web-deploy.ts has the logic and its checks). Uses the default AWS
// credentials chain; needs cloudformation:DescribeStacks in both regions and s3:PutObject on the bucket.
import fs from 'node:fs';
import path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { loadStageConfig } from '../infra/stage-config.cjs';
import { buildWeb, WEB_DIST } from '../web/build';
import { deployWeb, type SiteUploader, type StackOutputsReader, WebDeployRefused } from './web-deploy';

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

const stacks: StackOutputsReader = {
  async outputs(region, stackName) {
    const client = new CloudFormationClient({ region });
    try {
      const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
      const outputs: Record<string, string> = {};
      for (const o of Stacks?.[0]?.Outputs ?? []) if (o.OutputKey && o.OutputValue) outputs[o.OutputKey] = o.OutputValue;
      return outputs;
    } catch (error) {
      // DescribeStacks answers a ValidationError "Stack with id ... does not exist" for a missing stack.
      if ((error as { name?: string; message?: string }).name === 'ValidationError' && /does not exist/.test((error as Error).message))
        return null;
      throw error;
    } finally {
      client.destroy();
    }
  },
};

const s3Clients = new Map<string, S3Client>();
const uploader: SiteUploader = {
  async put(region, bucket, object) {
    const client = s3Clients.get(region) ?? new S3Client({ region });
    s3Clients.set(region, client);
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: object.key,
        Body: object.body,
        ContentType: object.contentType,
        CacheControl: object.cacheControl,
      }),
    );
  },
};

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
  const result = await deployWeb({ stacks, uploader }, { stage, service: SERVICE, config, files: readTree(WEB_DIST), dryRun });
  console.log(JSON.stringify(result.webConfig, null, 2));
  console.log(
    dryRun
      ? `dry run: nothing uploaded to ${result.bucket}`
      : `uploaded ${result.uploaded.length} files to ${result.bucket} (replicated to ${config.secondaryRegion}); the app is at ${result.siteUrl}`,
  );
  for (const client of s3Clients.values()) client.destroy();
}

main().catch((error: Error) => {
  console.error(error instanceof WebDeployRefused ? `${error.name}: ${error.message}` : (error.stack ?? String(error)));
  process.exit(1);
});
