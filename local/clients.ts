// The AWS SDK clients of the local tooling (runtime, replication, benches, tests) for the local
// stand-ins: DynamoDB Local (./dynamodb-local.ts) and the S3 stand-in (./s3-local.ts), each with
// the credentials it accepts. Functions get theirs from the environment (Runtime.clientEnv).
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, type DynamoDBStreamsClientConfig } from '@aws-sdk/client-dynamodb-streams';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS } from './dynamodb-local';
import { type RegionPair, UnknownRegion } from './region-pair';
import type { Runtime } from './runtime';
import { S3_LOCAL_CREDENTIALS } from './s3-local';

/** Whatever else a caller sets (retries, timeouts); the endpoint, region and credentials are the stand-in's. */
type Extra<C> = Omit<C, 'endpoint' | 'region' | 'credentials'>;

export function localDynamoClient(endpoint: string, region = 'us-east-1', extra: Extra<DynamoDBClientConfig> = {}): DynamoDBClient {
  return new DynamoDBClient({ ...extra, endpoint, region, credentials: LOCAL_CREDENTIALS });
}

export function localDynamoStreamsClient(
  endpoint: string,
  region = 'us-east-1',
  extra: Extra<DynamoDBStreamsClientConfig> = {},
): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient({ ...extra, endpoint, region, credentials: LOCAL_CREDENTIALS });
}

/** Path-style addressing: the stand-in serves every bucket on one host. */
export function localS3Client(endpoint: string, region = 'us-east-1', extra: Extra<S3ClientConfig> = {}): S3Client {
  return new S3Client({ ...extra, endpoint, region, forcePathStyle: true, credentials: S3_LOCAL_CREDENTIALS });
}

// Clients of a running embedded runtime, as a region's own functions reach its services: through
// that region's (chaos-controlled) doors, with the functions' credentials (Runtime.clientEnv). The
// drills, the load bench and the end-to-end tests use these.
type RuntimeView = Pick<Runtime, 'clientEnv' | 'regions' | 'controlPlane'>;

function regionConfig(rt: RuntimeView, region: string) {
  const env = rt.clientEnv(region);
  return { region, credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID as string, secretAccessKey: env.AWS_SECRET_ACCESS_KEY as string } };
}

/** One region's DynamoDB (its regional tables), through that region's door. */
export function regionDocumentClient(rt: RuntimeView, region: string, maxAttempts = 1): DynamoDBDocumentClient {
  const endpoint = rt.clientEnv(region).AWS_ENDPOINT_URL_DYNAMODB;
  return DynamoDBDocumentClient.from(new DynamoDBClient({ ...regionConfig(rt, region), endpoint, maxAttempts }));
}

/** The quorum store (the MRSC tables: state, lock, heartbeats) as `region` reaches it. */
export function regionQuorumClient(rt: RuntimeView, region: string, maxAttempts = 1): DynamoDBDocumentClient {
  const endpoint = rt.regions.find((r) => r.region === region)?.quorumEndpoint;
  if (!endpoint) throw new UnknownRegion(region, rt.regions.map((r) => r.region) as unknown as RegionPair);
  return DynamoDBDocumentClient.from(new DynamoDBClient({ ...regionConfig(rt, region), endpoint, maxAttempts }));
}

/** Step Functions (and the rest of the control plane) of one region. */
export function regionSfnClient(rt: RuntimeView, region: string): SFNClient {
  return new SFNClient({ ...regionConfig(rt, region), endpoint: rt.controlPlane.endpoint });
}
