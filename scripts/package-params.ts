// What `npm run package:all` passes to the secondary's packaging: the secondary's authorizer
// trusts the primary's Cognito pool, which only exists once the primary is deployed, and packaging
// without it fails on purpose (infra/primary-user-pool.cjs). These values are well-formed, say
// what they are, and name no real pool: a template packaged with them must never be deployed.
// tests/template reads them to check that the template holds exactly what was passed.
import type { StageConfig } from '../infra/stage-config.cjs';

export function packageOnlyUserPool(config: Pick<StageConfig, 'primaryRegion'>) {
  return { userPoolId: `${config.primaryRegion}_PackageOnlyNotDeployable`, clientId: 'packageonlynotdeployable' };
}

/** The `--param` arguments of one region's packaging (none for the primary). */
export function packageParams(config: Pick<StageConfig, 'primaryRegion' | 'secondaryRegion'>, region: string): string[] {
  if (region !== config.secondaryRegion) return [];
  const pool = packageOnlyUserPool(config);
  return [`--param=cognitoUserPoolId=${pool.userPoolId}`, `--param=cognitoUserPoolClientId=${pool.clientId}`];
}
