// One Logger, one Metrics and one Tracer for every function, configured here only. Powertools
// reads POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_LOG_LEVEL (set in
// serverless.yml); the defaults below keep local runs and tests working without them.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';

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

/**
 * Active tracing is on for every function (provider.tracing.lambda). The Tracer turns itself off
 * outside a Lambda execution environment (no AWS_EXECUTION_ENV: the local runtime, the tests) and
 * with POWERTOOLS_TRACE_ENABLED=false: it then records nothing, needs no X-Ray daemon and tells
 * the X-Ray SDK not to complain about a missing context. On AWS it patches http, https and fetch
 * (the default), so every AWS SDK call and the probe's call to the peer is a subsegment.
 */
export const tracer = new Tracer({ serviceName });

/**
 * The Powertools frame of every non-HTTP entry point (runbook steps, the health probe): the
 * Lambda context in each log line (keys reset per invocation) and the handler's subsegment with
 * its cold-start annotation. HTTP handlers get the same two middlewares in shared/http/handler.ts.
 */
export function lambdaEntry<E, R>(handler: (event: E, context: Context) => Promise<R>): (event: E, context: Context) => Promise<R> {
  return middy(handler)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer, { captureResponse: false })) as unknown as (event: E, context: Context) => Promise<R>;
}
