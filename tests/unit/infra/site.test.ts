// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub strings
import { MissingDeployParameter } from '../../../infra/primary-user-pool.cjs';
import { type PrimarySite, type SecondarySite, siteSettings } from '../../../infra/site.cjs';
import { loadStageConfig } from '../../../infra/stage-config.cjs';

const config = loadStageConfig('dev');
const settings = (region: string, params: Record<string, string | null>) => () => siteSettings(config, 'dev', 'switchyard', region, params);
const secondaryApi = `https://abc123defg.execute-api.${config.secondaryRegion}.amazonaws.com`;

describe('siteSettings (the web hosting values that cross regions, from the deploy parameters)', () => {
  it("puts the secondary's API, and only it, next to the primary's in the primary's CSP", () => {
    const site = settings(config.primaryRegion, { secondaryApiUrl: `${secondaryApi}/`, bootstrap: 'false' })() as PrimarySite;
    expect(site.secondaryApiUrl).toBe(secondaryApi);
    const connect = site.contentSecurityPolicy['Fn::Sub'].split('; ').find((d) => d.startsWith('connect-src'));
    expect(connect?.split(' ').filter((s) => s.includes('execute-api'))).toEqual([
      'https://${HttpApi}.execute-api.${AWS::Region}.amazonaws.com',
      secondaryApi,
    ]);
  });

  it('lets the first (bootstrap) deploy of the primary allow its own API only, and say so', () => {
    const site = settings(config.primaryRegion, { secondaryApiUrl: null, bootstrap: 'true' })() as PrimarySite;
    expect(site.secondaryApiUrl).toBe('none (bootstrap deploy)');
    expect(site.contentSecurityPolicy['Fn::Sub'].match(/execute-api/g)).toHaveLength(1);
  });

  it.each([
    [
      config.primaryRegion,
      { secondaryApiUrl: null, bootstrap: 'false' },
      /pass --param="secondaryApiUrl=<value>", the HttpApiUrl output.*describe-stacks --region us-west-2.*bootstrap=true/,
    ],
    [
      config.primaryRegion,
      { secondaryApiUrl: 'https://abc.execute-api.us-east-1.amazonaws.com' },
      /is not an HTTP API URL of the secondary region us-west-2/,
    ],
    [config.primaryRegion, { secondaryApiUrl: 'https://example.com' }, /"secondaryApiUrl=https:\/\/example.com" is not an HTTP API URL/],
    [
      config.secondaryRegion,
      { webDistributionId: null },
      /pass --param="webDistributionId=<value>", the SiteDistributionId output.*describe-stacks --region us-east-1/,
    ],
    [config.secondaryRegion, { webDistributionId: 'd111.cloudfront.net' }, /is not a CloudFront distribution id/],
  ])('refuses in %s with %j, naming the parameter', (region, params, message) => {
    expect(settings(region, params)).toThrow(MissingDeployParameter);
    expect(settings(region, params)).toThrow(message);
  });

  it('gives the secondary the distribution ARN its bucket trusts and no callback URLs (no client there)', () => {
    const site = settings(config.secondaryRegion, { webDistributionId: 'E1ABC234DEF' })() as SecondarySite;
    expect(site.distributionArn).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/E1ABC234DEF' });
    expect(site.callbackUrls).toEqual({ Ref: 'AWS::NoValue' });
  });
});
