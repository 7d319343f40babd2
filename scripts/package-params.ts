// What `npm run package:all` passes to each region's packaging. Each region needs values that only
// exist once the other region is deployed, and packaging without them fails on purpose
// (infra/primary-user-pool.cjs, infra/site.cjs): the secondary's authorizer trusts the primary's
// Cognito pool and its site bucket the primary's distribution; the primary's headers policy
// allows the secondary's API. These values are well-formed, say what they are, and name nothing
// real: a template packaged with them must never be deployed. tests/template reads them to check
// that the template holds exactly what was passed.
import type { StageConfig } from '../infra/stage-config.cjs';

export function packageOnlyUserPool(config: Pick<StageConfig, 'primaryRegion'>) {
  return { userPoolId: `${config.primaryRegion}_PackageOnlyNotDeployable`, clientId: 'packageonlynotdeployable' };
}

export function packageOnlySite(config: Pick<StageConfig, 'secondaryRegion'>) {
  return {
    secondaryApiUrl: `https://packageonly.execute-api.${config.secondaryRegion}.amazonaws.com`,
    webDistributionId: 'EPACKAGEONLYNOTDEPLOYABLE',
  };
}

/** The `--param` arguments of one region's packaging. */
export function packageParams(config: Pick<StageConfig, 'primaryRegion' | 'secondaryRegion'>, region: string): string[] {
  const site = packageOnlySite(config);
  if (region !== config.secondaryRegion) return [`--param=secondaryApiUrl=${site.secondaryApiUrl}`];
  const pool = packageOnlyUserPool(config);
  return [
    `--param=cognitoUserPoolId=${pool.userPoolId}`,
    `--param=cognitoUserPoolClientId=${pool.clientId}`,
    `--param=webDistributionId=${site.webDistributionId}`,
  ];
}
