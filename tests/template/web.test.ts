// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub strings as packaged
// The web app's hosting as packaged: one distribution (the primary's) in front of both regions'
// site buckets through an origin group, origin access control on both origins, buckets only that
// distribution can read, a content security policy naming exactly what the app talks to, and the
// Cognito client's callback URL derived from the distribution (infra/resources/site-*.yml, auth.yml).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { CACHING_DISABLED } from '../../infra/site.cjs';
import { packageOnlySite } from '../../scripts/package-params';
import { bothRegions, packagedTemplate, propertiesOf, resolvedValue, resourcesOfType, stage } from '../support/templates';

const primary = () => packagedTemplate(stage.primaryRegion);
const secondary = () => packagedTemplate(stage.secondaryRegion);
const distribution = () => propertiesOf(primary(), 'SiteDistribution').DistributionConfig;
const site = packageOnlySite(stage);

describe('the site distribution', () => {
  it('exists once, in the primary only', () => {
    expect(resourcesOfType(primary(), 'AWS::CloudFront::Distribution').map(([id]) => id)).toEqual(['SiteDistribution']);
    expect(resourcesOfType(secondary(), 'AWS::CloudFront::Distribution')).toEqual([]);
  });

  it("has an origin group: the primary's site bucket first, the secondary's on 500/502/503/504/403/404", () => {
    const config = distribution();
    const origins = Object.fromEntries(config.Origins.map((o: { Id: string }) => [o.Id, o]));
    expect(config.OriginGroups.Quantity).toBe(1);
    const group = config.OriginGroups.Items[0];
    expect(group.Members).toEqual({ Quantity: 2, Items: [{ OriginId: 'site-primary' }, { OriginId: 'site-secondary' }] });
    expect([...group.FailoverCriteria.StatusCodes.Items].sort()).toEqual([403, 404, 500, 502, 503, 504]);
    expect(group.FailoverCriteria.StatusCodes.Quantity).toBe(6);
    expect(origins['site-primary'].DomainName).toEqual({ 'Fn::GetAtt': ['SiteBucket', 'RegionalDomainName'] });
    // The secondary's bucket by the name its own stack gives it (site-bucket.yml), at its regional endpoint.
    expect(origins['site-secondary'].DomainName).toEqual({
      'Fn::Sub': `switchyard-dev-site-${stage.secondaryRegion}-\${AWS::AccountId}.s3.${stage.secondaryRegion}.amazonaws.com`,
    });
    expect(propertiesOf(secondary(), 'SiteBucket').BucketName).toEqual({
      'Fn::Sub': 'switchyard-dev-site-${AWS::Region}-${AWS::AccountId}',
    });
  });

  it('reaches both origins through origin access control (SigV4, always), no origin access identity', () => {
    const oac = propertiesOf(primary(), 'SiteOriginAccessControl').OriginAccessControlConfig;
    expect(oac).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' });
    for (const origin of distribution().Origins) {
      expect(origin.OriginAccessControlId).toEqual({ 'Fn::GetAtt': ['SiteOriginAccessControl', 'Id'] });
      expect(origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    }
    expect(distribution().Origins).toHaveLength(2);
  });

  it('serves HTTPS only, through the origin group, with the security headers, and never caches index.html or config.json', () => {
    const config = distribution();
    const behaviors = [config.DefaultCacheBehavior, ...config.CacheBehaviors];
    for (const behavior of behaviors) {
      expect(behavior.ViewerProtocolPolicy).toBe('https-only');
      expect(behavior.TargetOriginId).toBe('site-failover');
      expect(behavior.ResponseHeadersPolicyId).toEqual({ Ref: 'SiteHeadersPolicy' });
      // CloudFront fails over GET, HEAD and OPTIONS only.
      expect(behavior.AllowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS']);
    }
    const fresh = Object.fromEntries(
      config.CacheBehaviors.map((b: { PathPattern: string; CachePolicyId: unknown }) => [b.PathPattern, b.CachePolicyId]),
    );
    expect(fresh).toEqual({ '/index.html': CACHING_DISABLED, '/config.json': CACHING_DISABLED });
    // "/" takes the default behaviour: MinTTL 0 lets the origin's Cache-Control no-cache (deploy:web) apply.
    expect(config.DefaultRootObject).toBe('index.html');
    expect(propertiesOf(primary(), 'SiteCachePolicy').CachePolicyConfig).toMatchObject({ MinTTL: 0 });
  });
});

describe('the site buckets', () => {
  it.each(bothRegions())('in the %s are private, versioned and encrypted', (_role, region) => {
    const bucket = propertiesOf(packagedTemplate(region), 'SiteBucket');
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.BucketEncryption).toBeDefined();
  });

  it.each([
    ['primary', stage.primaryRegion, { 'Fn::Sub': 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${SiteDistribution}' }],
    [
      'secondary',
      stage.secondaryRegion,
      { 'Fn::Sub': `arn:\${AWS::Partition}:cloudfront::\${AWS::AccountId}:distribution/${site.webDistributionId}` },
    ],
  ])('in the %s can be read by the one distribution only', (_role, region, distributionArn) => {
    const statements = propertiesOf(packagedTemplate(region), 'SiteBucketPolicy').PolicyDocument.Statement as Array<
      Record<string, unknown>
    >;
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([
      {
        Sid: 'ReadByTheDistributionOnly',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: { 'Fn::Sub': '${SiteBucket.Arn}/*' },
        Condition: { StringEquals: { 'AWS:SourceArn': distributionArn } },
      },
    ]);
    expect(statements.find((s) => s.Sid === 'DenyInsecureTransport')).toMatchObject({ Effect: 'Deny', Principal: '*' });
  });

  it("replicate from the primary's to the secondary's, never back", () => {
    const rules = resolvedValue(primary(), propertiesOf(primary(), 'SiteBucket').ReplicationConfiguration) as {
      Rules: Array<{ Destination: { Bucket: unknown } }>;
    };
    expect(rules.Rules.map((r) => r.Destination.Bucket)).toEqual([
      { 'Fn::Sub': `arn:aws:s3:::switchyard-dev-site-${stage.secondaryRegion}-\${AWS::AccountId}` },
    ]);
    expect(resolvedValue(secondary(), propertiesOf(secondary(), 'SiteBucket').ReplicationConfiguration)).toBeUndefined();
  });
});

describe('the security headers', () => {
  const csp = (): string =>
    propertiesOf(primary(), 'SiteHeadersPolicy').ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy
      .ContentSecurityPolicy['Fn::Sub'];
  const directive = (name: string) =>
    csp()
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .find(([n]) => n === name)
      ?.slice(1);

  it('are on every response (override) with HSTS, nosniff, DENY framing', () => {
    const headers = propertiesOf(primary(), 'SiteHeadersPolicy').ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(headers.ContentSecurityPolicy.Override).toBe(true);
    expect(headers.StrictTransportSecurity).toMatchObject({ Override: true });
    expect(headers.ContentTypeOptions).toEqual({ Override: true });
    expect(headers.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
  });

  it('let the app load only its own files and talk only to the two APIs, both photo buckets and the Cognito hosted UI', () => {
    const photos = [stage.primaryRegion, stage.secondaryRegion].map(
      (region) => `https://switchyard-dev-photos-${region}-\${AWS::AccountId}.s3.${region}.amazonaws.com`,
    );
    expect(directive('default-src')).toEqual(["'none'"]);
    expect(directive('script-src')).toEqual(["'self'"]);
    expect(directive('style-src')).toEqual(["'self'"]);
    expect(directive('img-src')).toEqual(["'self'", ...photos]);
    expect(directive('connect-src')).toEqual([
      "'self'",
      'https://${HttpApi}.execute-api.${AWS::Region}.amazonaws.com',
      site.secondaryApiUrl,
      ...photos,
      'https://${CognitoUserPoolDomain}.auth.${AWS::Region}.amazoncognito.com',
    ]);
    expect(directive('frame-ancestors')).toEqual(["'none'"]);
    expect(csp()).not.toMatch(/\*|unsafe-/);
  });

  it('name the secondary API the primary was deployed with, in the output deploy:web checks', () => {
    expect(primary().Outputs?.SiteSecondaryApiUrl).toEqual({ Value: site.secondaryApiUrl });
  });
});

describe('Cognito sign-in for the site', () => {
  it("calls back to and logs out to the distribution's own URL, derived by the stack", () => {
    const client = propertiesOf(primary(), 'CognitoUserPoolClient');
    expect(client.CallbackURLs).toEqual([
      { 'Fn::Sub': 'https://${SiteDistribution.DomainName}/' },
      { 'Fn::Sub': 'https://${SiteDistribution.DomainName}/index.html' },
    ]);
    expect(client.LogoutURLs).toEqual([{ 'Fn::Sub': 'https://${SiteDistribution.DomainName}/' }]);
    expect(client).toMatchObject({ AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['implicit'] });
    expect(client.AllowedOAuthScopes).toEqual(expect.arrayContaining(['openid', 'profile']));
  });

  it('has a hosted-UI domain, whose address the stack outputs for config.json', () => {
    const template = primary();
    expect(propertiesOf(template, 'CognitoUserPoolDomain')).toEqual({
      UserPoolId: { Ref: 'CognitoUserPool' },
      Domain: { 'Fn::Sub': 'switchyard-dev-${AWS::AccountId}' },
    });
    expect(template.Outputs?.CognitoHostedUiDomain).toMatchObject({
      Value: { 'Fn::Sub': '${CognitoUserPoolDomain}.auth.${AWS::Region}.amazoncognito.com' },
    });
  });

  it('the secondary echoes the distribution its bucket trusts, and has no client of its own', () => {
    expect(secondary().Outputs?.SiteDistributionId).toEqual({ Value: site.webDistributionId });
    expect(secondary().Resources.CognitoUserPoolClient).toMatchObject({ Condition: 'CreateUserPool' });
  });
});

describe("packaging without the other region's outputs", () => {
  const root = path.resolve(__dirname, '..', '..');
  const print = (region: string, params: string[]) =>
    promisify(execFile)(
      process.execPath,
      [path.join(root, 'node_modules/osls/bin/serverless.js'), 'print', '--stage', 'dev', '--region', region, ...params],
      { cwd: root, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' } },
    ).then(
      () => '',
      (error: { stdout?: string; stderr?: string }) => `${error.stderr ?? ''}${error.stdout ?? ''}`,
    );

  it("fails for the primary without the secondary's API URL (unless bootstrap), naming the parameter", async () => {
    const output = await print(stage.primaryRegion, []);
    expect(output).toContain('MissingDeployParameter');
    expect(output).toContain('pass --param="secondaryApiUrl=<value>"');
    expect(await print(stage.primaryRegion, ['--param=bootstrap=true'])).toBe('');
  }, 120_000);

  it("fails for the secondary without the primary's distribution id, naming the parameter", async () => {
    const output = await print(stage.secondaryRegion, [
      `--param=cognitoUserPoolId=${stage.primaryRegion}_abc`,
      '--param=cognitoUserPoolClientId=abc',
    ]);
    expect(output).toContain('pass --param="webDistributionId=<value>"');
  }, 120_000);
});
