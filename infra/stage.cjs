// Serverless variable source: `${file(./infra/stage.cjs)}`.
// Reads infra/stages/<stage>.yml, decides whether --region is the primary or the
// secondary copy of the stage, and refuses any other region with a clear message.
const { loadStageConfig, regionRole } = require('./stage-config.cjs');

// A string: osls's schema takes only strings and intrinsics as Fn::If branches (CloudFormation reads "3" as 3).
const reservation = (condition, count) => ({ 'Fn::If': [condition, String(count), { Ref: 'AWS::NoValue' }] });

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
    // Reserved concurrency of the probe and the runbook steps (functions.yml `reservedConcurrency`).
    // 0 must leave ReservedConcurrentExecutions out (a reservation of 0 stops the function), hence
    // Fn::If on a condition of serverless.yml fed by `reservesConcurrency`.
    reservesConcurrency: {
      probe: String(config.capacity.probeReservedConcurrency > 0),
      runbookStep: String(config.capacity.runbookStepReservedConcurrency > 0),
    },
    reservedConcurrency: {
      probe: reservation('ReserveProbeConcurrency', config.capacity.probeReservedConcurrency),
      runbookStep: reservation('ReserveRunbookStepConcurrency', config.capacity.runbookStepReservedConcurrency),
    },
  };
};
