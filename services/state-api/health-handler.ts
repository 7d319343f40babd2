// Adapter for GET /health (see health.ts). Needs only the region: it must answer even when
// the rest of the configuration or the dependencies are broken.

import { z } from 'zod';
import { loadEnv, regionName } from '../../shared/env';
import { httpHandler } from '../../shared/http/handler';
import { jsonResponse } from '../../shared/http/responses';
import { logger } from '../../shared/powertools';
import { checkHealth } from './health';

const env = loadEnv(z.object({ AWS_REGION: regionName }));

const deps = {
  region: env.AWS_REGION,
  clock: () => new Date(),
  onCheckFailed: (name: string, error: unknown) => logger.warn('Health check failed', { check: name, error: error as Error }),
};

export const handler = httpHandler(async () => {
  const report = await checkHealth(deps);
  return jsonResponse(report.status === 'ok' ? 200 : 503, report, { 'Cache-Control': 'no-store' });
});
