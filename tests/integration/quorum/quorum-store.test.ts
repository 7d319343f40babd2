// The embedded runtime's quorum store (local/quorum) against real DynamoDB Local, through the real
// AWS SDK clients pointed at each region's quorum door: the MRSC semantics the application relies on.
import { randomUUID } from 'node:crypto';
import { DescribeTableCommand, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { strongTablesOf, tablesOf } from '../../../local/cfn';
import { localDynamoClient } from '../../../local/clients';
import { LOCAL_CREDENTIALS } from '../../../local/dynamodb-local';
import { type QuorumStore, startQuorumStore } from '../../../local/quorum';
import { loadServiceDefinition } from '../../../local/service-definition';
import { testDynamoEndpoint } from '../../support/tables';

const EAST = 'us-east-1';
const WEST = 'us-west-2';

let store: QuorumStore;
let table: string;
const clients: Record<string, DynamoDBDocumentClient> = {};

/** The real SDK, unchanged but for the endpoint; one attempt, so retryable errors are seen. */
function documentClient(region: string, maxAttempts = 1): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({ region, endpoint: store.doorOf(region).url, credentials: LOCAL_CREDENTIALS, maxAttempts }),
  );
}

async function errorOf(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  // The quorum table exactly as serverless.yml declares it, under this file's own name.
  const definition = await loadServiceDefinition('dev', EAST);
  const resources = definition.resources?.Resources;
  const [strong] = strongTablesOf(resources, { region: EAST });
  const input = tablesOf(resources, { region: EAST }).find((t) => t.TableName === strong?.tableName);
  if (!strong || !input) throw new Error('serverless.yml declares no MRSC table');
  table = `t${randomUUID().slice(0, 8)}-${strong.tableName}`;
  // One DynamoDB Local holds the authoritative copy and both regions' copies (distinct hidden names).
  const endpoint = testDynamoEndpoint();
  store = await startQuorumStore({
    regions: [
      { region: EAST, dynamodbEndpoint: endpoint },
      { region: WEST, dynamodbEndpoint: endpoint },
    ],
    witnessRegion: strong.witnessRegion,
    tables: [{ ...input, TableName: table }],
    latencyMs: 5,
  });
  clients[EAST] = documentClient(EAST);
  clients[WEST] = documentClient(WEST);
}, 60_000);

afterAll(async () => {
  await store?.stop();
});

afterEach(() => {
  // Every test starts with all three participants in reach.
  for (const region of [EAST, WEST]) {
    store.membership.setPartitioned(region, false);
    store.membership.setRegionDown(region, false);
  }
  store.membership.setLinkPartitioned(false);
  store.membership.setWitnessDown(false);
  store.setLatency(5);
});

const east = () => clients[EAST] as DynamoDBDocumentClient;
const west = () => clients[WEST] as DynamoDBDocumentClient;
const key = (name: string) => ({ pk: `TEST#${name}`, sk: 'item' });

describe('the quorum door: multi-Region strong consistency emulated on DynamoDB Local', () => {
  it('serves writes and strongly consistent reads linearizably in both regions, conditions and ReturnValues included', async () => {
    const k = key('linearizable');
    await east().send(new PutCommand({ TableName: table, Item: { ...k, version: 1 }, ConditionExpression: 'attribute_not_exists(pk)' }));
    // A strongly consistent read in the other region sees the write at once.
    expect((await west().send(new GetCommand({ TableName: table, Key: k, ConsistentRead: true }))).Item).toEqual({ ...k, version: 1 });
    // A conditional write in the other region is evaluated against the latest version.
    const failed = await errorOf(
      west().send(
        new PutCommand({
          TableName: table,
          Item: { ...k, version: 1 },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    expect(failed.name).toBe('ConditionalCheckFailedException');
    expect((failed as { Item?: unknown }).Item).toEqual({ pk: { S: k.pk }, sk: { S: k.sk }, version: { N: '1' } });
    const updated = await west().send(
      new UpdateCommand({
        TableName: table,
        Key: k,
        UpdateExpression: 'SET version = version + :one',
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':one': 1, ':v': 1 },
        ReturnValues: 'ALL_NEW',
      }),
    );
    expect(updated.Attributes).toEqual({ ...k, version: 2 });
    expect((await east().send(new GetCommand({ TableName: table, Key: k, ConsistentRead: true }))).Item?.version).toBe(2);
  });

  it('keeps serving a region that reaches only the witness, or only its peer', async () => {
    const k = key('majority');
    store.membership.setLinkPartitioned(true); // east and west each reach the witness: 2 of 3
    await east().send(new PutCommand({ TableName: table, Item: { ...k, by: 'east' } }));
    expect((await west().send(new GetCommand({ TableName: table, Key: k, ConsistentRead: true }))).Item?.by).toBe('east');
    store.membership.setLinkPartitioned(false);
    store.membership.setWitnessDown(true); // each reaches the peer: 2 of 3
    await west().send(new PutCommand({ TableName: table, Item: { ...k, by: 'west' } }));
    expect((await east().send(new GetCommand({ TableName: table, Key: k, ConsistentRead: true }))).Item?.by).toBe('west');
  });

  it('fails strong reads and writes in a region cut off from the majority, answers its eventually consistent reads from its stale copy, and catches up after the heal', async () => {
    const k = key('isolated');
    await east().send(new PutCommand({ TableName: table, Item: { ...k, value: 'before' } }));
    await store.settled();
    expect((await east().send(new GetCommand({ TableName: table, Key: k }))).Item?.value).toBe('before');

    store.membership.setPartitioned(EAST, true); // 1 of 3
    const write = await errorOf(east().send(new PutCommand({ TableName: table, Item: { ...k, value: 'lost' } })));
    expect(write.name).toBe('ServiceUnavailable');
    expect(write.$metadata?.httpStatusCode).toBe(503);
    const strongRead = await errorOf(east().send(new GetCommand({ TableName: table, Key: k, ConsistentRead: true })));
    expect(strongRead.name).toBe('ServiceUnavailable');
    expect(store.status().regions.find((r) => r.region === EAST)).toMatchObject({ votes: 1, hasMajority: false, reaches: [] });

    // The other region keeps the majority through the witness.
    await west().send(new PutCommand({ TableName: table, Item: { ...k, value: 'after' } }));
    await store.settled(); // waits for the regions in the majority only
    expect((await west().send(new GetCommand({ TableName: table, Key: k }))).Item?.value).toBe('after');
    // The isolated region still answers eventually consistent reads, from what it had.
    expect((await east().send(new GetCommand({ TableName: table, Key: k }))).Item?.value).toBe('before');
    expect(store.status().regions.find((r) => r.region === EAST)?.catchUpPending).toBeGreaterThan(0);

    store.membership.setPartitioned(EAST, false);
    // Back in the majority: its next strong answer is the latest, and its own copy catches up.
    expect((await east().send(new GetCommand({ TableName: table, Key: k, ConsistentRead: true }))).Item?.value).toBe('after');
    await store.settled();
    expect((await east().send(new GetCommand({ TableName: table, Key: k }))).Item?.value).toBe('after');
    expect(store.status().regions.every((r) => r.catchUpPending === 0)).toBe(true);
  });

  it('leaves no region writable when the link is cut and the witness is down', async () => {
    store.membership.setLinkPartitioned(true);
    store.membership.setWitnessDown(true);
    for (const client of [east(), west()]) {
      const error = await errorOf(client.send(new PutCommand({ TableName: table, Item: { ...key('nobody'), v: 1 } })));
      expect(error.name).toBe('ServiceUnavailable');
    }
    store.membership.setWitnessDown(false);
    await east().send(new PutCommand({ TableName: table, Item: { ...key('nobody'), v: 2 } }));
  });

  it('fails one of two writes racing on one item from two regions with ReplicatedWriteConflictException', async () => {
    // A long round trip makes the two writes overlap however busy the machine is.
    store.setLatency(1000);
    const k = key('race');
    const results = await Promise.allSettled([
      east().send(new PutCommand({ TableName: table, Item: { ...k, by: 'east' } })),
      west().send(new PutCommand({ TableName: table, Item: { ...k, by: 'west' } })),
    ]);
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(failures).toHaveLength(1);
    expect((failures[0]?.reason as Error | undefined)?.name).toBe('ReplicatedWriteConflictException');
    const winner = results[0].status === 'fulfilled' ? 'east' : 'west';
    store.setLatency(5);
    expect((await east().send(new GetCommand({ TableName: table, Key: k, ConsistentRead: true }))).Item?.by).toBe(winner);
    // The SDK treats it as retryable: with its default attempts the loser's retry goes through.
    store.setLatency(300);
    const retrying = documentClient(WEST, 3);
    const [first, second] = await Promise.allSettled([
      east().send(new PutCommand({ TableName: table, Item: { ...k, by: 'east-again' } })),
      new Promise((r) => setTimeout(r, 50)).then(() =>
        retrying.send(new PutCommand({ TableName: table, Item: { ...k, by: 'west-again' } })),
      ),
    ]);
    expect([first.status, second.status]).toEqual(['fulfilled', 'fulfilled']);
  });

  it('refuses transactions and TTL, and tables other than the MRSC ones, with named errors', async () => {
    const transaction = await errorOf(
      east().send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: table, Item: { ...key('tx'), v: 1 } } }] })),
    );
    expect(transaction.name).toBe('ValidationException');
    expect(transaction.message).toMatch(/multi-Region strong consistency/);
    const ttl = await errorOf(
      east().send(new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { Enabled: true, AttributeName: 'ttl' } })),
    );
    expect(ttl.name).toBe('ValidationException');
    const other = await errorOf(east().send(new GetCommand({ TableName: 'switchyard-dev-photos', Key: { pk: 'x', sk: 'y' } })));
    expect(other.name).toBe('ResourceNotFoundException');
    expect(other.message).toMatch(/not served by the quorum door/);
    // Nothing half-way: the refused transaction wrote nothing.
    expect((await east().send(new GetCommand({ TableName: table, Key: key('tx'), ConsistentRead: true }))).Item).toBeUndefined();
  });

  it('describes the table as MRSC with its witness, and hides its copies from plain DynamoDB', async () => {
    const described = await east().send(new DescribeTableCommand({ TableName: table }));
    expect(described.Table).toMatchObject({
      TableName: table,
      MultiRegionConsistency: 'STRONG',
      GlobalTableWitnesses: [{ RegionName: store.membership.witness }],
      Replicas: [{ RegionName: WEST }],
    });
    // Reaching DynamoDB Local without the door cannot bypass the quorum.
    const plain = localDynamoClient(testDynamoEndpoint());
    const bypass = await errorOf(plain.send(new DescribeTableCommand({ TableName: table })));
    expect(bypass.name).toBe('ResourceNotFoundException');
  });
});
