// Serverless variable source for the SECONDARY region's JWT authorizer (infra/resources/auth.yml):
//   issuerUrl: ${file(./infra/primary-user-pool.cjs):issuerUrl}
//   audience:  [ '${file(./infra/primary-user-pool.cjs):clientId}' ]
// The one user pool of a stage lives in the primary region (auth.yml says why). The secondary's
// deploy must be told which one, with the primary stack's outputs; without them there is nothing
// true to put in the template, so packaging fails here, naming the parameters to pass, instead of
// deploying an authorizer that trusts an issuer that does not exist and refuses every token.
const { loadStageConfig } = require('./stage-config.cjs');

const POOL_ID = /^([a-z]{2}(-gov)?-[a-z]+-\d)_[0-9a-zA-Z]+$/;
const CLIENT_ID = /^[\w+]{1,128}$/;

class MissingDeployParameter extends Error {
  constructor(message) {
    super(message);
    this.name = 'MissingDeployParameter';
    // osls prints a variable source's `error.stack`: keep it to the message, which says what to do.
    this.stack = `${this.name}: ${message}`;
  }
}

/** How to fetch the values, for the message. */
function howToFind(config, stage, service) {
  return (
    `They are the CognitoUserPoolId and CognitoUserPoolClientId outputs of the primary's stack: ` +
    `aws cloudformation describe-stacks --region ${config.primaryRegion} --stack-name ${service}-${stage} --query "Stacks[0].Outputs"`
  );
}

/**
 * The primary's pool as the secondary must trust it, from the two deploy parameters.
 * Throws MissingDeployParameter naming the parameter that is missing or malformed.
 */
function primaryUserPool(config, stage, service, params) {
  const passed = (name) => {
    const value = params[name];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
  };
  const userPoolId = passed('cognitoUserPoolId');
  const clientId = passed('cognitoUserPoolClientId');
  const missing = [userPoolId ? null : 'cognitoUserPoolId', clientId ? null : 'cognitoUserPoolClientId'].filter(Boolean);
  if (missing.length > 0) {
    throw new MissingDeployParameter(
      `The ${config.secondaryRegion} (secondary) deploy of stage "${stage}" trusts the user pool of the primary region ` +
        `${config.primaryRegion}: pass ${missing.map((name) => `--param="${name}=<value>"`).join(' and ')}. ${howToFind(config, stage, service)}`,
    );
  }
  const region = POOL_ID.exec(userPoolId)?.[1];
  if (region !== config.primaryRegion) {
    throw new MissingDeployParameter(
      `--param="cognitoUserPoolId=${userPoolId}" is not a user pool id of the primary region ${config.primaryRegion} ` +
        `(expected ${config.primaryRegion}_<id>). ${howToFind(config, stage, service)}`,
    );
  }
  if (!CLIENT_ID.test(clientId)) {
    throw new MissingDeployParameter(
      `--param="cognitoUserPoolClientId=${clientId}" is not an app client id (letters, digits, _ and +). ${howToFind(config, stage, service)}`,
    );
  }
  return { userPoolId, clientId, issuerUrl: `https://cognito-idp.${config.primaryRegion}.amazonaws.com/${userPoolId}` };
}

module.exports = async ({ options, resolveVariable }) => {
  const stage = options.stage ?? 'dev';
  const config = loadStageConfig(stage);
  // The `param` source: --param first, then `params:` of serverless.yml for the stage.
  const params = {};
  for (const name of ['cognitoUserPoolId', 'cognitoUserPoolClientId']) params[name] = await resolveVariable(`param:${name}, null`);
  return primaryUserPool(config, stage, await resolveVariable('self:service'), params);
};

module.exports.primaryUserPool = primaryUserPool;
module.exports.MissingDeployParameter = MissingDeployParameter;
