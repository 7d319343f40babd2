// Plain CommonJS so that serverless.yml, the embedded runtime and the CLIs share it.
const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

const STAGES_DIR = path.join(__dirname, 'stages');
const REGION_PATTERN = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

class StageConfigError extends Error {
  constructor(message) {
    super(message);
    this.name = 'StageConfigError';
  }
}

function requirePositiveNumber(config, file, key) {
  const value = config.thresholds?.[key];
  if (typeof value !== 'number' || !(value > 0)) {
    throw new StageConfigError(`${file}: thresholds.${key} must be a positive number (got ${JSON.stringify(value)})`);
  }
}

// The MRSC region sets: an MRSC global table's replicas and witness must all be in one of them
// (AWS::DynamoDB::GlobalTable GlobalTableWitnesses; DynamoDB developer guide, "Multi-Region strong
// consistency"). A pair across sets needs another arbiter behind the same port (README, Known limits).
const MRSC_REGION_SETS = {
  US: ['us-east-1', 'us-east-2', 'us-west-2'],
  EU: ['eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1'],
  AP: ['ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3'],
};

function checkQuorum(config, rel) {
  const quorum = config.quorum;
  if (!quorum || typeof quorum !== 'object')
    throw new StageConfigError(`${rel}: "quorum" is required (quorum.witnessRegion and the lease settings)`);
  const witness = quorum.witnessRegion;
  if (typeof witness !== 'string' || !REGION_PATTERN.test(witness)) {
    throw new StageConfigError(`${rel}: quorum.witnessRegion must be an AWS region name (got ${JSON.stringify(witness)})`);
  }
  const regions = [config.primaryRegion, config.secondaryRegion, witness];
  if (new Set(regions).size !== 3) {
    throw new StageConfigError(`${rel}: quorum.witnessRegion (${witness}) must differ from the primary and the secondary region`);
  }
  const set = Object.entries(MRSC_REGION_SETS).find(([, members]) => regions.every((r) => members.includes(r)));
  if (!set) {
    const sets = Object.entries(MRSC_REGION_SETS)
      .map(([name, members]) => `${name}: ${members.join(', ')}`)
      .join('; ');
    throw new StageConfigError(
      `${rel}: the primary (${config.primaryRegion}), the secondary (${config.secondaryRegion}) and the witness (${witness}) ` +
        `are not in one multi-Region strong consistency region set, so DynamoDB cannot create the quorum table. ` +
        `Choose three regions of one set (${sets}).`,
    );
  }
  for (const key of ['writeLeaseMillis', 'clockSkewMarginMillis', 'stateWriteTimeoutMillis', 'lockLeaseSeconds', 'heartbeatStaleSeconds']) {
    const value = quorum[key];
    if (typeof value !== 'number' || !(value > 0)) {
      throw new StageConfigError(`${rel}: quorum.${key} must be a positive number (got ${JSON.stringify(value)})`);
    }
  }
}

function requireCapacity(config, file) {
  const wholeNumber = (key, min) => {
    const value = config.capacity?.[key];
    if (!Number.isInteger(value) || value < min) {
      throw new StageConfigError(`${file}: capacity.${key} must be a whole number of at least ${min} (got ${JSON.stringify(value)})`);
    }
  };
  // 0 means "no reservation", never "reserve zero" (which would stop the function).
  wholeNumber('probeReservedConcurrency', 0);
  wholeNumber('runbookStepReservedConcurrency', 0);
  wholeNumber('apiThrottlingRateLimit', 1);
  wholeNumber('apiThrottlingBurstLimit', 1);
}

function loadStageConfig(stage) {
  if (!/^[a-z][a-z0-9-]{0,15}$/.test(stage)) {
    throw new StageConfigError(`Stage "${stage}" is not a valid stage name (lower-case letters, digits and dashes, at most 16).`);
  }
  const file = path.join(STAGES_DIR, `${stage}.yml`);
  if (!fs.existsSync(file)) {
    const known = fs
      .readdirSync(STAGES_DIR)
      .filter((f) => f.endsWith('.yml'))
      .map((f) => f.slice(0, -4));
    throw new StageConfigError(
      `No configuration for stage "${stage}": create infra/stages/${stage}.yml (known stages: ${known.join(', ')}).`,
    );
  }
  const config = YAML.parse(fs.readFileSync(file, 'utf8'));
  const rel = path.relative(process.cwd(), file);
  for (const key of ['appId', 'primaryRegion', 'secondaryRegion']) {
    if (typeof config[key] !== 'string' || config[key] === '') throw new StageConfigError(`${rel}: "${key}" is required`);
  }
  for (const key of ['primaryRegion', 'secondaryRegion']) {
    if (!REGION_PATTERN.test(config[key])) throw new StageConfigError(`${rel}: ${key} "${config[key]}" is not an AWS region name`);
  }
  if (config.primaryRegion === config.secondaryRegion) {
    throw new StageConfigError(`${rel}: primaryRegion and secondaryRegion must differ (both are ${config.primaryRegion})`);
  }
  for (const key of [
    'maxReplicationLagSeconds',
    'replicationGateTimeoutSeconds',
    'replicationGatePollSeconds',
    'bestEffortFenceTimeoutMillis',
    'minSecondsBetweenAutoFailovers',
    'primaryHealthySecondsBeforeFailback',
    'probeIntervalSeconds',
    'probeTimeoutMillis',
    'healthRecordStaleSeconds',
    'peerDownDatapoints',
    'peerDownEvaluationPeriods',
    'replicationLagAlarmSeconds',
    'autoFailoverMaxAlarmAgeSeconds',
    'photoReplicationLagAlarmSeconds',
  ]) {
    requirePositiveNumber(config, rel, key);
  }
  checkQuorum(config, rel);
  if (config.thresholds.peerDownDatapoints > config.thresholds.peerDownEvaluationPeriods) {
    throw new StageConfigError(`${rel}: thresholds.peerDownDatapoints cannot exceed peerDownEvaluationPeriods`);
  }
  // EventBridge's RetryPolicy.MaximumEventAgeInSeconds takes 60 to 86400.
  const maxAlarmAge = config.thresholds.autoFailoverMaxAlarmAgeSeconds;
  if (!Number.isInteger(maxAlarmAge) || maxAlarmAge < 60 || maxAlarmAge > 86400) {
    throw new StageConfigError(
      `${rel}: thresholds.autoFailoverMaxAlarmAgeSeconds must be a whole number from 60 to 86400 (got ${maxAlarmAge})`,
    );
  }
  requireCapacity(config, rel);
  return { notifications: { emails: [] }, photos: { maxBytes: 10 * 1024 * 1024 }, ...config };
}

function regionRole(config, region) {
  if (region === config.primaryRegion) return 'primary';
  if (region === config.secondaryRegion) return 'secondary';
  throw new StageConfigError(
    `Region "${region}" is neither the primary (${config.primaryRegion}) nor the secondary (${config.secondaryRegion}) region of this stage. ` +
      'Deploy with --region set to one of them, or change infra/stages/<stage>.yml.',
  );
}

module.exports = { loadStageConfig, regionRole, checkQuorum, StageConfigError, MRSC_REGION_SETS };
