// A region partitioned from its peer keeps serving its own clients while nothing crosses between
// the regions: the embedded runtime's `partition` chaos, cross-region doors and quorum.
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Runtime } from '../../local/runtime';
import type { RegionEndpoints } from '../../shared/regional-endpoints';
import { eventually, RUNTIME_START_TIMEOUT, regionDocumentClient, regionQuorumClient, startTestRuntime } from '../support/runtime';

let rt: Runtime;
let comments: string;
let quorumTable: string;

beforeAll(async () => {
  rt = await startTestRuntime({ schedules: false });
  comments = rt.primary.topology.tables.find((t) => t.TableName?.endsWith('-comments'))?.TableName as string;
  quorumTable = rt.primary.topology.strongTables[0]?.tableName as string;
}, RUNTIME_START_TIMEOUT);

afterAll(async () => {
  await rt?.stop();
}, 60_000);

/** SWITCHYARD_REGION_ENDPOINTS as the Lambdas of `region` see it. */
const endpointsSeenFrom = (region: string) =>
  JSON.parse(rt.clientEnv(region).SWITCHYARD_REGION_ENDPOINTS as string) as Record<string, RegionEndpoints>;

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('a partitioned region', () => {
  it('serves its own clients, refuses cross-region calls both ways, holds replication and loses the quorum until healed', async () => {
    const primary = rt.primary.region;
    const secondary = rt.secondary.region;
    const key = { pk: 'PARTITION#held', sk: 'item' };
    const quorumKey = { pk: 'PARTITION#quorum', sk: 'item' };
    await regionQuorumClient(rt, primary).send(new PutCommand({ TableName: quorumTable, Item: { ...quorumKey, value: 'before' } }));
    await rt.quorum.settled();

    rt.chaos.partition(primary);
    try {
      // Its own clients: the API and DynamoDB at the direct ports.
      expect((await fetch(`${rt.primary.apiUrl}/state`)).status).toBe(200);
      expect((await fetch(`${rt.primary.apiUrl}/health`)).status).toBe(200);
      await regionDocumentClient(rt, primary).send(
        new PutCommand({ TableName: comments, Item: { ...key, value: 'written-in-the-partition' } }),
      );

      // Cross-region doors refuse in both directions; each region's own entry stays direct.
      await expect(fetch(`${endpointsSeenFrom(primary)[secondary]?.api}/health`)).rejects.toThrow();
      await expect(fetch(`${endpointsSeenFrom(secondary)[primary]?.api}/health`)).rejects.toThrow();
      expect(endpointsSeenFrom(primary)[primary]?.api).toBe(rt.primary.apiUrl);
      expect(endpointsSeenFrom(secondary)[primary]?.api).not.toBe(rt.primary.apiUrl);

      // Replication holds the write (pending, not delivered).
      await eventually('the write to be pending towards the secondary', async () =>
        rt.replicator.stats().some((s) => s.table === comments && s.from === primary && s.to === secondary && s.pending > 0),
      );
      const secondaryDdb = regionDocumentClient(rt, secondary);
      expect((await secondaryDdb.send(new GetCommand({ TableName: comments, Key: key, ConsistentRead: true }))).Item).toBeUndefined();

      // The quorum: 1 of 3 in the primary (only eventually consistent reads), the secondary keeps the witness.
      const isolated = await failure(
        regionQuorumClient(rt, primary).send(new GetCommand({ TableName: quorumTable, Key: quorumKey, ConsistentRead: true })),
      );
      expect(isolated.name).toBe('ServiceUnavailable');
      await regionQuorumClient(rt, secondary).send(new PutCommand({ TableName: quorumTable, Item: { ...quorumKey, value: 'after' } }));
      const stale = await regionQuorumClient(rt, primary).send(new GetCommand({ TableName: quorumTable, Key: quorumKey }));
      expect(stale.Item?.value).toBe('before');

      const status = rt.status();
      expect(status.partitions).toEqual({ regions: [primary], link: false });
      expect(status.regions.find((r) => r.region === primary)).toMatchObject({ cut: false, partitioned: true });
      expect(status.quorum.regions.find((r) => r.region === primary)).toMatchObject({ votes: 1, hasMajority: false });
      expect(status.quorum.regions.find((r) => r.region === secondary)).toMatchObject({ votes: 2, hasMajority: true });
    } finally {
      rt.chaos.healPartition(primary);
    }

    const delivered = await eventually(
      'the held write in the secondary after the heal',
      async () =>
        (await regionDocumentClient(rt, secondary).send(new GetCommand({ TableName: comments, Key: key, ConsistentRead: true }))).Item,
    );
    expect(delivered.value).toBe('written-in-the-partition');
    expect((await fetch(`${endpointsSeenFrom(primary)[secondary]?.api}/health`)).status).toBe(200);
    const latest = await regionQuorumClient(rt, primary).send(
      new GetCommand({ TableName: quorumTable, Key: quorumKey, ConsistentRead: true }),
    );
    expect(latest.Item?.value).toBe('after');
  });

  it('a link partition leaves both regions the quorum through the witness, until the witness goes too', async () => {
    rt.chaos.partitionLink();
    try {
      expect(rt.status().quorum.regions.map((r) => r.hasMajority)).toEqual([true, true]);
      rt.chaos.witnessDown();
      expect(rt.status().quorum.regions.map((r) => r.hasMajority)).toEqual([false, false]);
      for (const region of rt.regions) expect((await fetch(`${region.apiUrl}/health`)).status).toBe(200);
    } finally {
      rt.chaos.witnessUp();
      rt.chaos.healPartitionLink();
    }
    expect(rt.status().quorum.regions.map((r) => r.votes)).toEqual([3, 3]);
  });
});
