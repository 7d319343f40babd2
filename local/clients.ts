// The AWS SDK clients of the local tooling (runtime, replication, benches, tests) for the local
// stand-ins: DynamoDB Local (./dynamodb-local.ts) and the S3 stand-in (./s3-local.ts), each with
// the credentials it accepts. Functions get theirs from the environment (Runtime.clientEnv).
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, type DynamoDBStreamsClientConfig } from '@aws-sdk/client-dynamodb-streams';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { LOCAL_CREDENTIALS } from './dynamodb-local';
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
