// The environment of a process that calls the local regions: the functions IN a region, or the
// operator's tools OUTSIDE both (SWITCHYARD_REGION_ENDPOINTS: shared/regional-endpoints.ts).
import { S3_LOCAL_CREDENTIALS } from '../s3-local';
import { crossEndpoints, directEndpoints, type RegionDoors, type Regions } from './regions';

export interface ClientEnvironments {
  clientEnv(region: string): Record<string, string>;
  operatorEnv(region: string): Record<string, string>;
}

export function clientEnvironments(options: {
  regions: Regions<RegionDoors>;
  controlPlaneEndpoint: string;
  scheduleIntervalMs: number;
  /** The functions' variables counted in probe rounds (./time-scale.ts). */
  scaledEnv: { HEALTH_RECORD_STALE_SECONDS: string };
}): ClientEnvironments {
  const { regions, controlPlaneEndpoint } = options;
  // The region endpoints as seen from inside a region (the peer's through this region's
  // cross-region doors), or from outside both (every region direct).
  const endpointsSeenFrom = (from: string | 'outside') =>
    JSON.stringify(
      Object.fromEntries(
        regions.all.map((p) => {
          const own = from === 'outside' || p.topology.region === from;
          return [p.topology.region, own ? directEndpoints(p) : crossEndpoints(regions.of(from))];
        }),
      ),
    );
  const baseEnv = (region: string, endpoints: string): Record<string, string> => {
    const own = directEndpoints(regions.of(region));
    return {
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: S3_LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3_LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: own.dynamodb,
      AWS_ENDPOINT_URL_S3: own.s3,
      AWS_ENDPOINT_URL_SSM: controlPlaneEndpoint,
      AWS_ENDPOINT_URL_CLOUDWATCH: controlPlaneEndpoint,
      AWS_ENDPOINT_URL_SFN: controlPlaneEndpoint,
      AWS_ENDPOINT_URL_SNS: controlPlaneEndpoint,
      SWITCHYARD_REGION_ENDPOINTS: endpoints,
      SWITCHYARD_LOCAL: '1',
      SWITCHYARD_LOCAL_SCHEDULE_MS: String(options.scheduleIntervalMs),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
  };
  return {
    clientEnv: (region) => baseEnv(region, endpointsSeenFrom(region)),
    // The operator's tools read probe records by the runtime's rule too (the runbook CLI's status).
    operatorEnv: (region) => ({
      ...baseEnv(region, endpointsSeenFrom('outside')),
      HEALTH_RECORD_STALE_SECONDS: options.scaledEnv.HEALTH_RECORD_STALE_SECONDS,
    }),
  };
}
