// AWS clients, created once per container and reused across invocations (connection reuse
// matters more than anything else for Lambda latency). Endpoints are never set here: the SDK
// honours AWS_ENDPOINT_URL_<SERVICE> (e.g. AWS_ENDPOINT_URL_DYNAMODB), which is how the local
// runtime points the same code at DynamoDB Local and the S3 stand-in.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { regionalEndpoint } from './regional-endpoints';

const documentClients = new Map<string, DynamoDBDocumentClient>();
const s3Clients = new Map<string, S3Client>();

const THIS_REGION = '';

function documentClientOf(dynamo: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(dynamo, {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** The DynamoDB DocumentClient for this function's own region (AWS_REGION). */
export function dynamoDocumentClient(): DynamoDBDocumentClient {
  let client = documentClients.get(THIS_REGION);
  if (!client) {
    client = documentClientOf(new DynamoDBClient({}));
    documentClients.set(THIS_REGION, client);
  }
  return client;
}

/**
 * A DocumentClient for another region's replica (a runbook fencing the peer, a probe reading
 * its heartbeat). Locally each region has its own endpoint (SWITCHYARD_REGION_ENDPOINTS); on
 * AWS the SDK derives it from the region.
 */
export function dynamoDocumentClientFor(region: string): DynamoDBDocumentClient {
  let client = documentClients.get(region);
  if (!client) {
    const endpoint = regionalEndpoint(region, 'dynamodb');
    client = documentClientOf(new DynamoDBClient(endpoint === undefined ? { region } : { region, endpoint }));
    documentClients.set(region, client);
  }
  return client;
}

/**
 * The S3 client for this function's own region. With an endpoint override (local stand-in)
 * addressing is path-style, because a local server has no per-bucket host names.
 */
export function s3Client(): S3Client {
  let client = s3Clients.get(THIS_REGION);
  if (!client) {
    // Checksums only when an operation requires one: a default checksum would be signed into
    // presigned PUT URLs, and browsers uploading to them cannot send it.
    client = new S3Client({ forcePathStyle: usesLocalS3(process.env), requestChecksumCalculation: 'WHEN_REQUIRED' });
    s3Clients.set(THIS_REGION, client);
  }
  return client;
}

export function usesLocalS3(env: Record<string, string | undefined>): boolean {
  return Boolean(env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL);
}
