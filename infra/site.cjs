// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub strings, resolved by CloudFormation
// Serverless variable source for the web app's hosting (infra/resources/site-*.yml):
//   custom.site: ${file(./infra/site.cjs)}
// The site is one CloudFront distribution, owned by the PRIMARY's deploy, in front of one site
// bucket per region (origin group: the primary's bucket first, the secondary's on failure). Two
// facts cross the regions and only exist once the other region is deployed:
//   - the primary's response headers policy allows exactly the two regional APIs, so it needs the
//     secondary's API URL (an HTTP API id is random): --param="secondaryApiUrl=<HttpApiUrl output>";
//   - the secondary's site bucket lets only that distribution read it, so it needs the
//     distribution's id: --param="webDistributionId=<SiteDistributionId output>".
// Without them there is nothing true to put in the template: packaging fails here, naming the
// parameter and the command that reads it, like infra/primary-user-pool.cjs. The primary's first
// deploy (--param="bootstrap=true") runs before the secondary exists: its policy then allows the
// primary's API only, and says so in its SiteSecondaryApiUrl output (scripts/deploy-web.ts refuses it).
const { loadStageConfig, regionRole } = require('./stage-config.cjs');
const { MissingDeployParameter } = require('./primary-user-pool.cjs');

const DISTRIBUTION_ID = /^E[A-Z0-9]{5,30}$/;
const NOT_YET = 'none (bootstrap deploy)';
// CloudFront's managed CachingDisabled policy (the same id in every account).
// https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-managed-cache-policies.html
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

const stackOutputs = (region, stage, service) =>
  `aws cloudformation describe-stacks --region ${region} --stack-name ${service}-${stage} --query "Stacks[0].Outputs"`;

/** The virtual-hosted origin of a region's photo bucket, as presigned URLs name it (shared/photos/adapters/s3-object-store.ts). */
const photosOrigin = (service, stage, region) =>
  `https://${service}-${stage}-photos-${region}-\${AWS::AccountId}.s3.${region}.amazonaws.com`;

/**
 * The content security policy of the site, an Fn::Sub string of the primary's template: scripts
 * and styles from the site only (index.html has no inline script or style), API calls to the two
 * regional APIs, photo uploads (presigned PUT) and images (presigned GET) to both regions' photo
 * buckets, and the Cognito hosted UI of the one user pool (auth.yml). Nothing else.
 */
function contentSecurityPolicy(config, stage, service, secondaryApiUrl) {
  const photos = [config.primaryRegion, config.secondaryRegion].map((region) => photosOrigin(service, stage, region));
  const apis = ['https://${HttpApi}.execute-api.${AWS::Region}.amazonaws.com', ...(secondaryApiUrl ? [secondaryApiUrl] : [])];
  const hostedUi = 'https://${CognitoUserPoolDomain}.auth.${AWS::Region}.amazoncognito.com';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' ${photos.join(' ')}`,
    `connect-src 'self' ${[...apis, ...photos, hostedUi].join(' ')}`,
    `form-action 'self' ${hostedUi}`,
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * What the region's site resources need, from the deploy parameters. Throws MissingDeployParameter
 * naming the parameter that is missing or malformed.
 */
function siteSettings(config, stage, service, region, params) {
  const passed = (name) => {
    const value = params[name];
    return typeof value === 'string' && value.trim() !== '' ? value.trim().replace(/\/+$/, '') : null;
  };
  if (regionRole(config, region) === 'primary') {
    const bootstrap = passed('bootstrap') === 'true';
    const secondaryApiUrl = passed('secondaryApiUrl');
    if (!secondaryApiUrl && !bootstrap) {
      throw new MissingDeployParameter(
        `The ${config.primaryRegion} (primary) deploy of stage "${stage}" serves the web app, whose security headers allow the ` +
          `secondary's API: pass --param="secondaryApiUrl=<value>", the HttpApiUrl output of the secondary's stack: ` +
          `${stackOutputs(config.secondaryRegion, stage, service)} (on a stage's first deploy, before the secondary exists, pass --param="bootstrap=true").`,
      );
    }
    const apiUrl = new RegExp(`^https://[a-z0-9]+\\.execute-api\\.${config.secondaryRegion}\\.amazonaws\\.com$`);
    if (secondaryApiUrl && !apiUrl.test(secondaryApiUrl)) {
      throw new MissingDeployParameter(
        `--param="secondaryApiUrl=${secondaryApiUrl}" is not an HTTP API URL of the secondary region ${config.secondaryRegion} ` +
          `(expected https://<api id>.execute-api.${config.secondaryRegion}.amazonaws.com). ${stackOutputs(config.secondaryRegion, stage, service)}`,
      );
    }
    return {
      contentSecurityPolicy: { 'Fn::Sub': contentSecurityPolicy(config, stage, service, secondaryApiUrl) },
      secondaryApiUrl: secondaryApiUrl ?? NOT_YET,
      cachingDisabledPolicyId: CACHING_DISABLED,
      // The app's redirect_uri is its own URL without query or fragment (web/src/main.ts): the root,
      // or /index.html when opened by that name.
      callbackUrls: [
        { 'Fn::Sub': 'https://${SiteDistribution.DomainName}/' },
        { 'Fn::Sub': 'https://${SiteDistribution.DomainName}/index.html' },
      ],
      logoutUrls: [{ 'Fn::Sub': 'https://${SiteDistribution.DomainName}/' }],
      distributionArn: { 'Fn::Sub': 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${SiteDistribution}' },
    };
  }
  const distributionId = passed('webDistributionId');
  if (!distributionId) {
    throw new MissingDeployParameter(
      `The ${config.secondaryRegion} (secondary) deploy of stage "${stage}" holds the web app's failover copy, readable only by the ` +
        `primary's CloudFront distribution: pass --param="webDistributionId=<value>", the SiteDistributionId output of the primary's stack: ` +
        `${stackOutputs(config.primaryRegion, stage, service)}`,
    );
  }
  if (!DISTRIBUTION_ID.test(distributionId)) {
    throw new MissingDeployParameter(
      `--param="webDistributionId=${distributionId}" is not a CloudFront distribution id (E followed by capital letters and digits). ` +
        `${stackOutputs(config.primaryRegion, stage, service)}`,
    );
  }
  return {
    distributionId,
    distributionArn: { 'Fn::Sub': `arn:\${AWS::Partition}:cloudfront::\${AWS::AccountId}:distribution/${distributionId}` },
    // The pool and its client live in the primary only (auth.yml): nothing to call back to here.
    callbackUrls: { Ref: 'AWS::NoValue' },
    logoutUrls: { Ref: 'AWS::NoValue' },
  };
}

module.exports = async ({ options, resolveVariable }) => {
  const stage = options.stage ?? 'dev';
  const config = loadStageConfig(stage);
  const region = options.region ?? config.primaryRegion;
  const params = {};
  for (const name of ['bootstrap', 'secondaryApiUrl', 'webDistributionId']) params[name] = await resolveVariable(`param:${name}, null`);
  return siteSettings(config, stage, await resolveVariable('self:service'), region, params);
};

module.exports.siteSettings = siteSettings;
module.exports.NOT_YET = NOT_YET;
module.exports.CACHING_DISABLED = CACHING_DISABLED;
