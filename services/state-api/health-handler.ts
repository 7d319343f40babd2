// Adapter for GET /health (see health.ts). The plain check needs only the region: it must answer
// even when the rest of the configuration or the dependencies are broken. `?deep=1` reads the
// health probes' records from this region's app-state replica; its configuration is loaded on
// first use, so a problem there never breaks the plain check.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient } from '../../shared/aws-clients';
import { loadAppEnv, loadEnv, positiveInteger, regionName } from '../../shared/env';
import { type HealthRecord, healthRecordKey } from '../../shared/health/record';
import { httpHandler } from '../../shared/http/handler';
import { jsonResponse } from '../../shared/http/responses';
import { logger } from '../../shared/powertools';
import * as z from '../../shared/zod';
import { checkHealth, type DeepHealthDeps, deepHealth } from './health';

const env = loadEnv(z.object({ AWS_REGION: regionName }));

const deps = {
  region: env.AWS_REGION,
  clock: () => new Date(),
  onCheckFailed: (name: string, error: unknown) => logger.warn('Health check failed', { check: name, error: error as Error }),
};

let deep: DeepHealthDeps | undefined;
function deepDeps(): DeepHealthDeps {
  if (deep) return deep;
  const appEnv = loadAppEnv({ HEALTH_RECORD_STALE_SECONDS: positiveInteger });
  const client = dynamoDocumentClient();
  deep = {
    region: appEnv.AWS_REGION,
    peerRegion: appEnv.AWS_REGION === appEnv.PRIMARY_REGION ? appEnv.SECONDARY_REGION : appEnv.PRIMARY_REGION,
    clock: deps.clock,
    staleSeconds: appEnv.HEALTH_RECORD_STALE_SECONDS,
    readRecord: async (region) => {
      const { Item } = await client.send(
        new GetCommand({ TableName: appEnv.APP_STATE_TABLE, Key: healthRecordKey(appEnv.APP_ID, region), ConsistentRead: true }),
      );
      return Item as HealthRecord | undefined;
    },
  };
  return deep;
}

const wantsDeep = (value: string | undefined) => value === '1' || value === 'true';

export const handler = httpHandler(async (event) => {
  if (wantsDeep(event.queryStringParameters?.deep)) {
    const report = await deepHealth(deepDeps());
    return jsonResponse(report.status === 'ok' ? 200 : 503, report, { 'Cache-Control': 'no-store' });
  }
  const report = await checkHealth(deps);
  return jsonResponse(report.status === 'ok' ? 200 : 503, report, { 'Cache-Control': 'no-store' });
});
