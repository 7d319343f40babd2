/**
 * Cross-region calls (a runbook in the secondary fencing the primary, the probe reading the
 * peer's heartbeat) need a client for ANOTHER region. On AWS the SDK derives the endpoint
 * from the region. The embedded runtime runs each region's services on their own local
 * ports and says where in SWITCHYARD_REGION_ENDPOINTS, e.g.
 *   {"us-east-1":{"dynamodb":"http://127.0.0.1:4111","s3":"http://127.0.0.1:4112","api":"http://127.0.0.1:4110","quorum":"http://127.0.0.1:4113"}, ...}
 * Inside a region the peer's entries are that region's cross-region doors (which partitions cut).
 */
export interface RegionEndpoints {
  dynamodb?: string;
  s3?: string;
  /** Base URL of the region's HTTP API (state, health, photos, comments). */
  api?: string;
  /**
   * DynamoDB endpoint for the multi-Region strongly consistent (quorum) tables, locally the
   * region's quorum door (local/quorum). On AWS there is none: the quorum table is reached through
   * the region's normal DynamoDB endpoint.
   */
  quorum?: string;
}

let parsed: Record<string, RegionEndpoints> | undefined;

function endpointsMap(env: NodeJS.ProcessEnv = process.env): Record<string, RegionEndpoints> {
  if (parsed && env === process.env) return parsed;
  const raw = env.SWITCHYARD_REGION_ENDPOINTS;
  let map: Record<string, RegionEndpoints> = {};
  if (raw) {
    try {
      map = JSON.parse(raw) as Record<string, RegionEndpoints>;
    } catch {
      throw new Error('SWITCHYARD_REGION_ENDPOINTS is not valid JSON');
    }
  }
  if (env === process.env) parsed = map;
  return map;
}

/** The endpoint override for `service` in `region`, or undefined on AWS (the SDK's default applies). */
export function regionalEndpoint(region: string, service: keyof RegionEndpoints, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return endpointsMap(env)[region]?.[service];
}
