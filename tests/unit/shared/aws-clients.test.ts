import { GetCommand } from '@aws-sdk/lib-dynamodb';

type Clients = typeof import('../../../shared/aws-clients');

const SENTINEL = 'stopped before sending';

const savedEnv = { ...process.env };
afterEach(() => {
  process.env = { ...savedEnv };
});

/**
 * Loads a fresh copy of the module under `env` (kept until the test ends: the SDK reads region
 * and credentials when it sends), so its once-per-container clients see it.
 */
async function clientsWith(env: Record<string, string>): Promise<Clients> {
  for (const name of Object.keys(process.env)) if (/^AWS_(ENDPOINT_URL|PROFILE|REGION)/.test(name)) delete process.env[name];
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' }, env);
  let clients: Clients | undefined;
  await jest.isolateModulesAsync(async () => {
    clients = await import('../../../shared/aws-clients');
  });
  return clients!;
}

/** The URL a DynamoDB request would go to, captured before signing and sending. */
async function targetOf(client: ReturnType<Clients['dynamoDocumentClient']>): Promise<string> {
  client.middlewareStack.add(
    (() => async (args: { request: unknown }) => {
      const { protocol, hostname, port } = args.request as { protocol: string; hostname: string; port?: number };
      throw new Error(`${SENTINEL} ${protocol}//${hostname}${port ? `:${port}` : ''}`);
    }) as never,
    { step: 'build' },
  );
  const attempt = await client.send(new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' } })).catch((error: Error) => error.message);
  return String(attempt).replace(`${SENTINEL} `, '');
}

describe('AWS clients', () => {
  it('point DynamoDB at AWS_ENDPOINT_URL_DYNAMODB without any endpoint in code', async () => {
    // Prepare
    const clients = await clientsWith({ AWS_REGION: 'us-west-2', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:4567' });

    // Act
    const target = await targetOf(clients.dynamoDocumentClient());

    // Assess
    expect(target).toBe('http://127.0.0.1:4567');
  });

  it('use the regional AWS endpoint when no override is set', async () => {
    // Prepare
    const clients = await clientsWith({ AWS_REGION: 'us-west-2' });

    // Act
    const target = await targetOf(clients.dynamoDocumentClient());

    // Assess
    expect(target).toBe('https://dynamodb.us-west-2.amazonaws.com');
  });

  it('create each client once per container', async () => {
    // Prepare
    const clients = await clientsWith({ AWS_REGION: 'us-east-1' });

    // Act / Assess
    expect(clients.dynamoDocumentClient()).toBe(clients.dynamoDocumentClient());
    expect(clients.dynamoDocumentClientFor('us-west-2')).toBe(clients.dynamoDocumentClientFor('us-west-2'));
    expect(clients.s3Client()).toBe(clients.s3Client());
  });

  it("reach another region's replica through SWITCHYARD_REGION_ENDPOINTS locally", async () => {
    // Prepare
    const clients = await clientsWith({
      AWS_REGION: 'us-east-1',
      SWITCHYARD_REGION_ENDPOINTS: JSON.stringify({ 'us-west-2': { dynamodb: 'http://127.0.0.1:4201' } }),
    });

    // Act
    const target = await targetOf(clients.dynamoDocumentClientFor('us-west-2'));

    // Assess
    expect(target).toBe('http://127.0.0.1:4201');
  });

  it('address S3 path-style only when an endpoint override is set', () => {
    // Act / Assess
    const { usesLocalS3 } = jest.requireActual<Clients>('../../../shared/aws-clients');
    expect(usesLocalS3({ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569' })).toBe(true);
    expect(usesLocalS3({})).toBe(false);
  });
});
