// One Logger and one Metrics for every function, configured here only. Powertools reads
// POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_LOG_LEVEL (set in
// serverless.yml); the defaults below keep local runs and tests working without them.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'switchyard';

export const logger = new Logger({
  serviceName,
  // Both regions log the same messages: the region tells their lines apart in a shared view.
  persistentKeys: { region: process.env.AWS_REGION ?? 'unknown', stage: process.env.STAGE ?? 'unknown' },
});

export const metrics = new Metrics({
  serviceName,
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Switchyard',
});
