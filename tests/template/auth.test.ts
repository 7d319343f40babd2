// No placeholder issuer or audience reaches a packaged template: the primary trusts its own pool,
// the secondary exactly the pool it was told (scripts/package-params.ts), and packaging the
// secondary without being told fails, naming the parameters (infra/primary-user-pool.cjs).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { packageOnlyUserPool } from '../../scripts/package-params';
import { packagedTemplate, propertiesOf, resourcesOfType, stage } from '../support/templates';

const run = promisify(execFile);
const root = path.resolve(__dirname, '..', '..');

const jwtConfiguration = (region: string) => {
  const authorizers = resourcesOfType(packagedTemplate(region), 'AWS::ApiGatewayV2::Authorizer');
  expect(authorizers).toHaveLength(1);
  return (authorizers[0]![1].Properties as { JwtConfiguration: { Issuer: unknown; Audience: unknown[] } }).JwtConfiguration;
};

describe('the JWT authorizer', () => {
  it('in the primary trusts the pool and client the primary creates', () => {
    expect(jwtConfiguration(stage.primaryRegion)).toEqual({
      Issuer: { 'Fn::Sub': 'https://cognito-idp.${AWS::Region}.amazonaws.com/${CognitoUserPool}' },
      Audience: [{ Ref: 'CognitoUserPoolClient' }],
    });
    expect(propertiesOf(packagedTemplate(stage.primaryRegion), 'CognitoUserPool')).toBeDefined();
  });

  it("in the secondary trusts exactly the primary's pool it was given, nothing made up", () => {
    const pool = packageOnlyUserPool(stage);
    expect(jwtConfiguration(stage.secondaryRegion)).toEqual({
      Issuer: `https://cognito-idp.${stage.primaryRegion}.amazonaws.com/${pool.userPoolId}`,
      Audience: [pool.clientId],
    });
    expect(packagedTemplate(stage.secondaryRegion).Resources.CognitoUserPool).toMatchObject({ Condition: 'CreateUserPool' });
  });

  it.each([stage.primaryRegion, stage.secondaryRegion])('in %s carries no placeholder value', (region) => {
    expect(JSON.stringify(packagedTemplate(region))).not.toMatch(/unset-|placeholder|changeme|TODO/i);
  });
});

describe('packaging the secondary', () => {
  const print = (params: string[]) =>
    run(
      process.execPath,
      [path.join(root, 'node_modules/osls/bin/serverless.js'), 'print', '--stage', 'dev', '--region', stage.secondaryRegion, ...params],
      {
        cwd: root,
        maxBuffer: 32 * 1024 * 1024,
        env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
      },
    ).then(
      () => '',
      (error: { stdout?: string; stderr?: string }) => `${error.stderr ?? ''}${error.stdout ?? ''}`,
    );

  it("without the primary's pool fails, and the message names the parameters to pass", async () => {
    const output = await print([]);
    expect(output).toContain('MissingDeployParameter');
    expect(output).toContain('--param="cognitoUserPoolId=<value>" and --param="cognitoUserPoolClientId=<value>"');
    expect(output).toContain(`describe-stacks --region ${stage.primaryRegion}`);
  }, 60_000);

  it('with a pool id of another region fails, naming the parameter', async () => {
    const output = await print(['--param=cognitoUserPoolId=eu-west-1_abc', '--param=cognitoUserPoolClientId=abc']);
    expect(output).toContain(
      `--param="cognitoUserPoolId=eu-west-1_abc" is not a user pool id of the primary region ${stage.primaryRegion}`,
    );
  }, 60_000);
});
