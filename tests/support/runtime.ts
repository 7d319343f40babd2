import '../../local/polyfills';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type Runtime, startRuntime } from '../../local/runtime';

export { eventually } from './eventually';

export const RUNTIME_START_TIMEOUT = 180_000;

/** One embedded two-region runtime for a test file (ports chosen by the OS). */
export function startTestRuntime(options: Parameters<typeof startRuntime>[0] = {}): Promise<Runtime> {
  return startRuntime({ portBase: 0, ...options });
}

function clientConfig(rt: Runtime, region: string) {
  const env = rt.clientEnv(region);
  return {
    region,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID as string, secretAccessKey: env.AWS_SECRET_ACCESS_KEY as string },
  };
}

/** A DocumentClient for one region's DynamoDB, through that region's (chaos-controlled) endpoint. */
export function regionDocumentClient(rt: Runtime, region: string): DynamoDBDocumentClient {
  const env = rt.clientEnv(region);
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({ ...clientConfig(rt, region), endpoint: env.AWS_ENDPOINT_URL_DYNAMODB, maxAttempts: 1 }),
  );
}

/** A DocumentClient for one region's quorum door (the MRSC tables), as that region's own clients reach it. */
export function regionQuorumClient(rt: Runtime, region: string, maxAttempts = 1): DynamoDBDocumentClient {
  const endpoint = rt.regions.find((r) => r.region === region)?.quorumEndpoint;
  if (!endpoint) throw new Error(`Unknown region ${region}`);
  return DynamoDBDocumentClient.from(new DynamoDBClient({ ...clientConfig(rt, region), endpoint, maxAttempts }));
}

export function regionSfnClient(rt: Runtime, region: string): SFNClient {
  return new SFNClient({ ...clientConfig(rt, region), endpoint: rt.controlPlane.endpoint });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
