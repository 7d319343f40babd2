import { NOT_YET } from '../../../infra/site.cjs';
import { loadStageConfig } from '../../../infra/stage-config.cjs';
import {
  deployWeb,
  MissingStackOutput,
  type SiteObject,
  type StackOutputsReader,
  StacksDisagree,
  siteObjects,
  WebDeployRefused,
} from '../../../scripts/web-deploy';

const config = loadStageConfig('dev');
const secondaryApi = `https://def456ghij.execute-api.${config.secondaryRegion}.amazonaws.com`;

const primaryOutputs = (): Record<string, string> => ({
  HttpApiUrl: `https://abc123defg.execute-api.${config.primaryRegion}.amazonaws.com`,
  CognitoUserPoolId: `${config.primaryRegion}_Pool1`,
  CognitoUserPoolClientId: 'client123',
  CognitoHostedUiDomain: `switchyard-dev-111122223333.auth.${config.primaryRegion}.amazoncognito.com`,
  SiteBucketName: `switchyard-dev-site-${config.primaryRegion}-111122223333`,
  SiteDistributionId: 'E1ABCDEF234567',
  SiteUrl: 'https://d111abcdef8.cloudfront.net',
  SiteSecondaryApiUrl: secondaryApi,
});
const secondaryOutputs = (): Record<string, string> => ({ HttpApiUrl: `${secondaryApi}/`, SiteDistributionId: 'E1ABCDEF234567' });

/** Stack outputs as CloudFormation would answer, per region; null = no such stack. */
function stacksOf(byRegion: Record<string, Record<string, string> | null>): StackOutputsReader & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async outputs(region, stackName) {
      asked.push(`${region}/${stackName}`);
      return byRegion[region] ?? null;
    },
  };
}

function recordingUploader() {
  const puts: Array<{ region: string; bucket: string; object: SiteObject }> = [];
  return {
    puts,
    put: async (region: string, bucket: string, object: SiteObject) => {
      puts.push({ region, bucket, object });
    },
  };
}

const files = [
  { key: 'index.html', body: '<!doctype html>' },
  { key: 'app.js', body: 'x' },
  { key: 'app.js.map', body: '{}' },
  { key: 'styles.css', body: 'a{}' },
];

const run = (byRegion: Record<string, Record<string, string> | null>, uploader = recordingUploader()) =>
  deployWeb({ stacks: stacksOf(byRegion), uploader }, { stage: 'dev', service: 'switchyard', config, files });

describe('deploy:web', () => {
  it('builds config.json from both stacks and uploads it with web/dist to the primary site bucket, index.html last', async () => {
    const uploader = recordingUploader();
    const result = await run({ [config.primaryRegion]: primaryOutputs(), [config.secondaryRegion]: secondaryOutputs() }, uploader);

    expect(result.webConfig).toEqual({
      stage: 'dev',
      regions: [
        { region: config.primaryRegion, role: 'primary', apiUrl: primaryOutputs().HttpApiUrl },
        { region: config.secondaryRegion, role: 'secondary', apiUrl: secondaryApi },
      ],
      auth: { mode: 'cognito', domain: primaryOutputs().CognitoHostedUiDomain, clientId: 'client123' },
    });
    expect(uploader.puts.map((p) => p.object.key)).toEqual(['app.js', 'app.js.map', 'styles.css', 'config.json', 'index.html']);
    expect(new Set(uploader.puts.map((p) => `${p.region}/${p.bucket}`))).toEqual(
      new Set([`${config.primaryRegion}/${primaryOutputs().SiteBucketName}`]),
    );
    const uploadedConfig = uploader.puts.find((p) => p.object.key === 'config.json')?.object;
    expect(JSON.parse(String(uploadedConfig?.body))).toEqual(result.webConfig);
    expect(result.siteUrl).toBe('https://d111abcdef8.cloudfront.net');
  });

  it.each([
    [
      'the primary stack does not exist',
      { primary: null },
      MissingStackOutput,
      /does not exist in us-east-1 \(primary\).*--param="bootstrap=true"/,
    ],
    [
      'the primary predates the web part (no SiteDistributionId)',
      { primary: { ...primaryOutputs(), SiteDistributionId: '' } },
      MissingStackOutput,
      /has no SiteDistributionId output: deploy the primary first: npx osls deploy --stage dev --region us-east-1 --param="secondaryApiUrl=https:\/\/def456ghij/,
    ],
    [
      'the secondary stack does not exist',
      { secondary: null },
      MissingStackOutput,
      /does not exist in us-west-2 \(secondary\).*cognitoUserPoolId=us-east-1_Pool1.*cognitoUserPoolClientId=client123.*webDistributionId=E1ABCDEF234567/,
    ],
    [
      'the secondary has no HttpApiUrl',
      { secondary: { SiteDistributionId: 'E1ABCDEF234567' } },
      MissingStackOutput,
      /us-west-2 \(secondary\) has no HttpApiUrl output: deploy the secondary first/,
    ],
    [
      'the primary was deployed in bootstrap (headers allow no secondary API)',
      { primary: { ...primaryOutputs(), SiteSecondaryApiUrl: NOT_YET } },
      StacksDisagree,
      /allow no secondary API yet.*deploy the primary first: .*--param="secondaryApiUrl=https:\/\/def456ghij\.execute-api\.us-west-2\.amazonaws\.com"/,
    ],
    [
      "the primary's headers allow an older secondary API",
      { primary: { ...primaryOutputs(), SiteSecondaryApiUrl: 'https://old0000000.execute-api.us-west-2.amazonaws.com' } },
      StacksDisagree,
      /allow https:\/\/old0000000.*but the secondary's API is https:\/\/def456ghij/,
    ],
    [
      "the secondary's bucket trusts another distribution",
      { secondary: { ...secondaryOutputs(), SiteDistributionId: 'EOLDDIST00' } },
      StacksDisagree,
      /lets distribution EOLDDIST00 read it, but the primary's is E1ABCDEF234567: deploy the secondary first: .*webDistributionId=E1ABCDEF234567/,
    ],
  ])('refuses, uploading nothing, when %s', async (_case, override, errorClass, message) => {
    const uploader = recordingUploader();
    const byRegion = {
      [config.primaryRegion]: 'primary' in override ? override.primary : primaryOutputs(),
      [config.secondaryRegion]: 'secondary' in override ? override.secondary : secondaryOutputs(),
    } as Record<string, Record<string, string> | null>;
    const attempt = run(byRegion, uploader);
    await expect(attempt).rejects.toThrow(errorClass);
    await expect(attempt).rejects.toThrow(message);
    expect(uploader.puts).toEqual([]);
  });

  it('reads the stacks by the service-stage name in each region, and a dry run uploads nothing', async () => {
    const stacks = stacksOf({ [config.primaryRegion]: primaryOutputs(), [config.secondaryRegion]: secondaryOutputs() });
    const uploader = recordingUploader();
    await deployWeb({ stacks, uploader }, { stage: 'dev', service: 'switchyard', config, files, dryRun: true });
    expect(stacks.asked).toEqual([`${config.primaryRegion}/switchyard-dev`, `${config.secondaryRegion}/switchyard-dev`]);
    expect(uploader.puts).toEqual([]);
  });
});

describe('siteObjects', () => {
  const webConfig = { stage: 'dev', regions: [], auth: { mode: 'cognito' as const, domain: 'd', clientId: 'c' } };

  it('keeps index.html and config.json fresh and lets the assets be cached briefly', () => {
    const byKey = Object.fromEntries(siteObjects(files, webConfig).map((o) => [o.key, o]));
    expect(byKey['index.html']).toMatchObject({ contentType: 'text/html; charset=utf-8', cacheControl: 'no-cache' });
    expect(byKey['config.json']).toMatchObject({ contentType: 'application/json', cacheControl: 'no-cache' });
    expect(byKey['app.js']).toMatchObject({ contentType: 'text/javascript; charset=utf-8', cacheControl: 'public, max-age=300' });
    expect(byKey['styles.css']).toMatchObject({ contentType: 'text/css; charset=utf-8' });
  });

  it('refuses a dist without index.html or with a config.json of its own', () => {
    expect(() => siteObjects([{ key: 'app.js', body: '' }], webConfig)).toThrow(/no index.html: run npm run build:web/);
    expect(() => siteObjects([...files, { key: 'config.json', body: '{}' }], webConfig)).toThrow(WebDeployRefused);
  });
});
