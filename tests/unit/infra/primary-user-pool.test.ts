import { MissingDeployParameter, primaryUserPool } from '../../../infra/primary-user-pool.cjs';
import { loadStageConfig } from '../../../infra/stage-config.cjs';

const config = loadStageConfig('dev');
const trust = (params: Record<string, string | null>) => () => primaryUserPool(config, 'dev', 'switchyard', params);

describe('primaryUserPool (the secondary authorizer from the deploy parameters)', () => {
  it('builds the issuer of the primary region from the pool id', () => {
    expect(trust({ cognitoUserPoolId: ` ${config.primaryRegion}_Ab12 `, cognitoUserPoolClientId: 'client1' })()).toEqual({
      userPoolId: `${config.primaryRegion}_Ab12`,
      clientId: 'client1',
      issuerUrl: `https://cognito-idp.${config.primaryRegion}.amazonaws.com/${config.primaryRegion}_Ab12`,
    });
  });

  it.each([
    [
      { cognitoUserPoolId: null, cognitoUserPoolClientId: null },
      /pass --param="cognitoUserPoolId=<value>" and --param="cognitoUserPoolClientId=<value>"/,
    ],
    [
      { cognitoUserPoolId: `${config.primaryRegion}_Ab12`, cognitoUserPoolClientId: ' ' },
      /pass --param="cognitoUserPoolClientId=<value>"\./,
    ],
    [
      { cognitoUserPoolId: 'unset-cognitoUserPoolId', cognitoUserPoolClientId: 'c' },
      /"cognitoUserPoolId=unset-cognitoUserPoolId" is not a user pool id/,
    ],
    [{ cognitoUserPoolId: `${config.secondaryRegion}_Ab12`, cognitoUserPoolClientId: 'c' }, /is not a user pool id of the primary region/],
    [{ cognitoUserPoolId: `${config.primaryRegion}_Ab12`, cognitoUserPoolClientId: 'no spaces' }, /is not an app client id/],
  ])('refuses %p, naming the parameter', (params, message) => {
    expect(trust(params)).toThrow(MissingDeployParameter);
    expect(trust(params)).toThrow(message);
  });

  it('says where to find the values', () => {
    expect(trust({ cognitoUserPoolId: null, cognitoUserPoolClientId: null })).toThrow(
      `aws cloudformation describe-stacks --region ${config.primaryRegion} --stack-name switchyard-dev`,
    );
  });
});
