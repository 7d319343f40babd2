/**
 * Cross-region calls (a runbook in the secondary fencing the primary, the probe reading the
 * peer's heartbeat) need a client for ANOTHER region. On AWS the SDK derives the endpoint
 * from the region. The embedded runtime runs each region's services on their own local
 * ports and says where in SWITCHYARD_REGION_ENDPOINTS, e.g.
 *   {"us-east-1":{"dynamodb":"http://127.0.0.1:4101","s3":"http://127.0.0.1:4102","api":"http://127.0.0.1:4100"}, ...}
 */
export interface RegionEndpoints {
  dynamodb?: string;
  s3?: string;
  /** Base URL of the region's HTTP API (state, health, photos, comments). */
  api?: string;
  /** The quorum store's DynamoDB endpoint in that region (the embedded runtime's MRSC emulation). */
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
