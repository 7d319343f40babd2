// AWS clients, created once per container and reused across invocations (connection reuse
// matters more than anything else for Lambda latency). Endpoints are never set here: the SDK
// honours AWS_ENDPOINT_URL_<SERVICE> (e.g. AWS_ENDPOINT_URL_DYNAMODB), which is how the local
// runtime points the same code at DynamoDB Local and the S3 stand-in.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeWrite } from './app-state/write-deadline';
import { regionalEndpoint } from './regional-endpoints';

const documentClients = new Map<string, DynamoDBDocumentClient>();
const s3Clients = new Map<string, S3Client>();

const THIS_REGION = '';
const QUORUM = 'quorum:';

/** The operations that change stored data: they are sent only before the request's write deadline. */
const WRITE_COMMANDS = new Set([
  'PutCommand',
  'UpdateCommand',
  'DeleteCommand',
  'BatchWriteCommand',
  'TransactWriteCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'BatchWriteItemCommand',
  'TransactWriteItemsCommand',
  'PutObjectCommand',
  'CopyObjectCommand',
  'DeleteObjectCommand',
  'DeleteObjectsCommand',
]);

interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => Promise<unknown>,
      options: { step: 'finalizeRequest'; priority: 'low'; name: string },
    ): void;
  };
}

/**
 * Sends a data write, at each attempt (so SDK retries too), only within a write lease: once the
 * lease its request was admitted under has ended, the request is admitted again first, or the
 * write is not sent (shared/app-state/write-deadline.ts). Installed on the clients of the data
 * tables and the photo bucket, never on the quorum store's.
 */
export function enforceWriteDeadline<C extends object>(client: C): C {
  (client as unknown as MiddlewareClient).middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== undefined && WRITE_COMMANDS.has(context.commandName)) await beforeWrite();
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'switchyardWriteDeadline' },
  );
  return client;
}

function documentClientOf(dynamo: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(dynamo, {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** The DynamoDB DocumentClient for this function's own region (AWS_REGION); its writes keep the write deadline. */
export function dynamoDocumentClient(): DynamoDBDocumentClient {
  let client = documentClients.get(THIS_REGION);
  if (!client) {
    client = documentClientOf(enforceWriteDeadline(new DynamoDBClient({})));
    documentClients.set(THIS_REGION, client);
  }
  return client;
}

/**
 * The DocumentClient of this region's replica of the quorum store (the MRSC table). On AWS it is
 * the regional DynamoDB endpoint; the embedded runtime serves the quorum table on an endpoint of
 * its own (SWITCHYARD_REGION_ENDPOINTS[region].quorum), which emulates multi-Region strong consistency.
 */
export function quorumDocumentClient(region: string = process.env.AWS_REGION ?? ''): DynamoDBDocumentClient {
  let client = documentClients.get(QUORUM + region);
  if (!client) {
    const endpoint = regionalEndpoint(region, 'quorum');
    // Short and few: a region cut off from the quorum must learn it within its write lease, and
    // the lease already absorbs a single failed read.
    client = documentClientOf(
      new DynamoDBClient({
        region,
        ...(endpoint === undefined ? {} : { endpoint }),
        maxAttempts: 2,
        requestHandler: { connectionTimeout: 500, requestTimeout: 1000, throwOnRequestTimeout: true },
      }),
    );
    documentClients.set(QUORUM + region, client);
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
    client = enforceWriteDeadline(new S3Client({ forcePathStyle: usesLocalS3(process.env), requestChecksumCalculation: 'WHEN_REQUIRED' }));
    s3Clients.set(THIS_REGION, client);
  }
  return client;
}

export function usesLocalS3(env: Record<string, string | undefined>): boolean {
  return Boolean(env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL);
}
