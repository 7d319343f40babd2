// Serverless variable source: `${file(./infra/stage.cjs)}`.
// Reads infra/stages/<stage>.yml, decides whether --region is the primary or the
// secondary copy of the stage, and refuses any other region with a clear message.
const { loadStageConfig, regionRole } = require('./stage-config.cjs');

module.exports = async ({ options }) => {
  const stage = options.stage ?? 'dev';
  const config = loadStageConfig(stage);
  const region = options.region ?? config.primaryRegion;
  const role = regionRole(config, region);
  return {
    ...config,
    stage,
    region,
    role,
    isPrimary: role === 'primary',
    peerRegion: role === 'primary' ? config.secondaryRegion : config.primaryRegion,
    // The SNS topic's Subscription property, from the stage's plain list of addresses.
    notificationSubscriptions: (config.notifications?.emails ?? []).map((address) => ({ Protocol: 'email', Endpoint: address })),
  };
};
