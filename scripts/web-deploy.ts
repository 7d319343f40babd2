// The logic of `npm run deploy:web`: config.json from the two regions' stack outputs, checked to
// fit together, then web/dist/ and config.json uploaded to the primary's site bucket (the
// secondary's is its replica: infra/resources/site-bucket.yml). It takes its I/O as ports; the
// AWS adapters are in scripts/deploy-web.ts. It refuses, before uploading anything, when an
// output is missing or the stacks disagree, and says which deploy to run first.
import path from 'node:path';
import { NOT_YET } from '../infra/site.cjs';
import type { StageConfig } from '../infra/stage-config.cjs';

/** The config.json the web app reads (web/src/main.ts AppConfig; `npm start` serves the same shape). */
export interface WebConfig {
  stage: string;
  regions: Array<{ region: string; role: 'primary' | 'secondary'; apiUrl: string }>;
  auth: { mode: 'cognito'; domain: string; clientId: string };
}

export interface StackOutputsReader {
  /** The stack's outputs by key, or null when the stack does not exist. */
  outputs(region: string, stackName: string): Promise<Record<string, string> | null>;
}

export interface SiteObject {
  key: string;
  body: Uint8Array | string;
  contentType: string;
  cacheControl: string;
}

export interface SiteUploader {
  put(region: string, bucket: string, object: SiteObject): Promise<void>;
}

/** Refused before anything was uploaded; the message says which deploy to run first. */
export class WebDeployRefused extends Error {
  override readonly name: string = 'WebDeployRefused';
}

export class MissingStackOutput extends WebDeployRefused {
  override readonly name = 'MissingStackOutput';
}

export class StacksDisagree extends WebDeployRefused {
  override readonly name = 'StacksDisagree';
}

type Stage = Pick<StageConfig, 'primaryRegion' | 'secondaryRegion'>;

const PRIMARY_OUTPUTS = [
  'HttpApiUrl',
  'CognitoHostedUiDomain',
  'CognitoUserPoolClientId',
  'SiteBucketName',
  'SiteDistributionId',
  'SiteUrl',
  'SiteSecondaryApiUrl',
] as const;
const SECONDARY_OUTPUTS = ['HttpApiUrl', 'SiteDistributionId'] as const;

const trimUrl = (url: string) => url.trim().replace(/\/+$/, '');

/** The deploy commands of README "Deploying to AWS", with the values known so far filled in. */
export function deployCommands(
  stage: string,
  config: Stage,
  known: { primary?: Record<string, string>; secondary?: Record<string, string> },
) {
  const p = known.primary ?? {};
  const s = known.secondary ?? {};
  const v = (value: string | undefined, name: string) => value ?? `<${name}>`;
  return {
    primaryFirst: `npx osls deploy --stage ${stage} --region ${config.primaryRegion} --param="bootstrap=true"`,
    secondary:
      `npx osls deploy --stage ${stage} --region ${config.secondaryRegion} --param="cognitoUserPoolId=${v(p.CognitoUserPoolId, 'CognitoUserPoolId')}" ` +
      `--param="cognitoUserPoolClientId=${v(p.CognitoUserPoolClientId, 'CognitoUserPoolClientId')}" --param="webDistributionId=${v(p.SiteDistributionId, 'SiteDistributionId')}"`,
    primary: `npx osls deploy --stage ${stage} --region ${config.primaryRegion} --param="secondaryApiUrl=${v(s.HttpApiUrl && trimUrl(s.HttpApiUrl), 'secondary HttpApiUrl')}"`,
  };
}

/**
 * config.json from the outputs of both regions' stacks, after checking that they fit: the
 * primary's headers policy allows the secondary's current API, and the secondary's site bucket
 * lets the primary's current distribution read it.
 */
export async function webConfigFromStacks(
  deps: { stacks: StackOutputsReader },
  args: { stage: string; service: string; config: Stage },
): Promise<{ webConfig: WebConfig; bucket: string; siteUrl: string }> {
  const { stage, config } = args;
  const stackName = `${args.service}-${stage}`;
  const primary = await deps.stacks.outputs(config.primaryRegion, stackName);
  const secondary = await deps.stacks.outputs(config.secondaryRegion, stackName);
  const commands = deployCommands(stage, config, { ...(primary ? { primary } : {}), ...(secondary ? { secondary } : {}) });

  if (!primary) {
    throw new MissingStackOutput(
      `Stack ${stackName} does not exist in ${config.primaryRegion} (primary): deploy it first: ${commands.primaryFirst}`,
    );
  }
  for (const key of PRIMARY_OUTPUTS) {
    if (!primary[key]) {
      throw new MissingStackOutput(
        `Stack ${stackName} in ${config.primaryRegion} (primary) has no ${key} output: deploy the primary first: ` +
          `${secondary?.HttpApiUrl ? commands.primary : commands.primaryFirst}`,
      );
    }
  }
  if (!secondary) {
    throw new MissingStackOutput(
      `Stack ${stackName} does not exist in ${config.secondaryRegion} (secondary): deploy it first: ${commands.secondary}`,
    );
  }
  for (const key of SECONDARY_OUTPUTS) {
    if (!secondary[key]) {
      throw new MissingStackOutput(
        `Stack ${stackName} in ${config.secondaryRegion} (secondary) has no ${key} output: deploy the secondary first: ${commands.secondary}`,
      );
    }
  }
  const secondaryApiUrl = trimUrl(secondary.HttpApiUrl as string);
  const allowed = trimUrl(primary.SiteSecondaryApiUrl as string);
  if (allowed !== secondaryApiUrl) {
    throw new StacksDisagree(
      `The primary's web app headers allow ${allowed === NOT_YET ? 'no secondary API yet (bootstrap deploy)' : allowed}, ` +
        `but the secondary's API is ${secondaryApiUrl}: deploy the primary first: ${commands.primary}`,
    );
  }
  if (secondary.SiteDistributionId !== primary.SiteDistributionId) {
    throw new StacksDisagree(
      `The secondary's site bucket lets distribution ${secondary.SiteDistributionId} read it, but the primary's is ` +
        `${primary.SiteDistributionId}: deploy the secondary first: ${commands.secondary}`,
    );
  }
  return {
    webConfig: {
      stage,
      regions: [
        { region: config.primaryRegion, role: 'primary', apiUrl: trimUrl(primary.HttpApiUrl as string) },
        { region: config.secondaryRegion, role: 'secondary', apiUrl: secondaryApiUrl },
      ],
      auth: { mode: 'cognito', domain: primary.CognitoHostedUiDomain as string, clientId: primary.CognitoUserPoolClientId as string },
    },
    bucket: primary.SiteBucketName as string,
    siteUrl: primary.SiteUrl as string,
  };
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Fetched on every visit: a deploy's page and config are seen at once (the distribution never caches them either). */
const ALWAYS_FRESH = new Set(['index.html', 'config.json']);

/**
 * What to upload, in order: the assets first, then config.json, and index.html last, so a
 * visitor never gets a page that names files not uploaded yet.
 */
export function siteObjects(files: ReadonlyArray<{ key: string; body: Uint8Array | string }>, webConfig: WebConfig): SiteObject[] {
  if (!files.some((f) => f.key === 'index.html')) throw new WebDeployRefused('web/dist/ has no index.html: run npm run build:web');
  if (files.some((f) => f.key === 'config.json')) {
    throw new WebDeployRefused('web/dist/ holds a config.json: remove it, deploy:web writes the one built from the stacks');
  }
  const all = [...files, { key: 'config.json', body: `${JSON.stringify(webConfig, null, 2)}\n` }];
  const rank = (key: string) => (key === 'index.html' ? 2 : key === 'config.json' ? 1 : 0);
  return all
    .map((f) => ({
      key: f.key,
      body: f.body,
      contentType: CONTENT_TYPES[path.extname(f.key)] ?? 'application/octet-stream',
      cacheControl: ALWAYS_FRESH.has(f.key) ? 'no-cache' : 'public, max-age=300',
    }))
    .sort((a, b) => rank(a.key) - rank(b.key) || a.key.localeCompare(b.key));
}

/** The whole command: read and check the stacks, then upload. Returns what it did, for the CLI to print. */
export async function deployWeb(
  deps: { stacks: StackOutputsReader; uploader: SiteUploader },
  args: {
    stage: string;
    service: string;
    config: Stage;
    files: ReadonlyArray<{ key: string; body: Uint8Array | string }>;
    dryRun?: boolean;
  },
): Promise<{ webConfig: WebConfig; bucket: string; siteUrl: string; uploaded: string[] }> {
  const { webConfig, bucket, siteUrl } = await webConfigFromStacks(deps, args);
  const objects = siteObjects(args.files, webConfig);
  if (!args.dryRun) for (const object of objects) await deps.uploader.put(args.config.primaryRegion, bucket, object);
  return { webConfig, bucket, siteUrl, uploaded: args.dryRun ? [] : objects.map((o) => o.key) };
}
