// The embedded runtime's multi-Region strongly consistent (MRSC) global tables: three
// participants (the two regions' replicas and a witness), the majority rule, and one quorum door
// per region that the real SDK talks to. DynamoDB Local has no global tables at all, so this is
// the runtime's own emulation of what AWS documents (DynamoDB developer guide, "Global table
// design" › "Key facts about MRSC", bp-global-table-design.html; "How DynamoDB global tables work",
// V2globaltables_HowItWorks.html):
//
// - "Item changes in an MRSC global table replica are synchronously replicated to at least one
//   other Region before the write operation returns a successful response." A write is admitted
//   only in a region holding the majority, waits one cross-region round trip (`latencyMs`), checks
//   the majority again and only then commits.
// - "Strongly consistent read operations on any MRSC replica always return the latest version of
//   an item. Conditional write operations always evaluate the condition expression against the
//   latest version of an item." Writes and strongly consistent reads execute on ONE authoritative
//   copy (a hidden table in the primary's DynamoDB Local, reached directly and never through a
//   chaos door: an emulation artifact standing for "the latest committed version", not a region),
//   so DynamoDB Local itself evaluates conditions, ReturnValues and
//   ReturnValuesOnConditionCheckFailure, one item at a time: linearizable.
// - "Eventually consistent read operations on an MRSC replica might not include changes that
//   recently occurred in another Region": each region also has its own copy (a hidden table in its
//   own DynamoDB Local) that eventually consistent reads answer from; see replica-copies.ts.
// - "The local Region accepts all read and write operations as long as there is a second Region
//   that hosts a replica or witness to establish quorum. If a second Region isn't available, the
//   local Region can only service eventually consistent reads." See membership.ts. The error the
//   cut-off region answers is an assumption (wire.ts, ERRORS.isolated).
// - "A write operation fails with a ReplicatedWriteConflictException exception when it attempts to
//   modify an item that is already being modified in another Region." A write holds its keys for
//   its round trip; a write from the other region to one of them in that window fails so.
// - "Items are replicated individually. Global tables using MRSC do not support the transaction
//   APIs." and "Time to Live (TTL) isn't supported for MRSC global tables.": refused.
// - "With MRSC, latencies are higher for write operations and for strongly consistent read
//   operations [...] Eventually consistent read operations experience no extra latency."
//
// Where AWS documents nothing, the behaviour here is an ASSUMPTION, listed in docs/fencing.md
// ("Emulation of the quorum store").

import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { type QuorumDoorServer, startQuorumDoor } from './door';
import { QuorumConfigError, QuorumSettleTimeout, QuorumStoreStopped } from './errors';
import { type ParticipantView, QuorumMembership } from './membership';
import { type CopyTable, ReplicaCopies } from './replica-copies';
import { callDynamo, callDynamoOk, errorAnswer, keyIdentity, keyOf, okAnswer, tableNameOf, type WireAnswer, type WireItem } from './wire';

export const DEFAULT_QUORUM_LATENCY_MS = 15;
const DEFAULT_SETTLE_TIMEOUT_MS = 30_000;

export interface QuorumRegion {
  region: string;
  /** The region's DynamoDB Local itself (not its chaos gateway): where its own copy lives. */
  dynamodbEndpoint: string;
}

export interface QuorumStoreOptions {
  regions: [QuorumRegion, QuorumRegion];
  witnessRegion: string;
  /** The MRSC tables (CreateTable inputs, e.g. from the topology). */
  tables: CreateTableCommandInput[];
  /** Where the authoritative copy lives (default: the first region's DynamoDB Local). */
  authorityEndpoint?: string;
  /** One cross-region round trip, added to every write and strongly consistent read (default 15). */
  latencyMs?: number;
  /** Door ports by region (default: chosen by the OS). */
  ports?: Record<string, number>;
  log?(line: string): void;
}

export interface QuorumStatus {
  tables: string[];
  latencyMs: number;
  witness: { region: string; up: boolean };
  linkPartitioned: boolean;
  regions: Array<ParticipantView & { door: string; catchUpPending: number }>;
}

export interface QuorumStore {
  membership: QuorumMembership;
  doors: QuorumDoorServer[];
  doorOf(region: string): QuorumDoorServer;
  tables: string[];
  latencyMs(): number;
  setLatency(ms: number): void;
  status(): QuorumStatus;
  /**
   * Resolves once every region holding the majority has taken every commit into its eventually
   * consistent copy (regions cut off from the quorum catch up only after the heal, so they are not
   * waited for); rejects with QuorumSettleTimeout after timeoutMs (default 30 s).
   */
  settled(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

interface TableInfo extends CopyTable {
  input: CreateTableCommandInput;
}

/** Thrown inside an operation to answer with an error at once. */
class Refusal extends Error {
  constructor(readonly answer: WireAnswer) {
    super('refused');
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// Hidden table names: a client that reaches DynamoDB Local without the door gets
// ResourceNotFoundException instead of silently bypassing the quorum.
const authorityTableName = (table: string) => `${table}.__mrsc-authority`;
const replicaTableName = (table: string, region: string) => `${table}.__mrsc-replica-${region}`;

function keyAttributesOf(input: CreateTableCommandInput): string[] {
  const schema = input.KeySchema ?? [];
  const hash = schema.find((k) => k.KeyType === 'HASH')?.AttributeName;
  if (!hash) throw new QuorumConfigError(`table ${input.TableName} has no HASH key`);
  const range = schema.find((k) => k.KeyType === 'RANGE')?.AttributeName;
  return range ? [hash, range] : [hash];
}

function checkLatency(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new QuorumConfigError(`quorum latency must be a number of milliseconds ≥ 0 (got ${ms})`);
  return ms;
}

export async function startQuorumStore(options: QuorumStoreOptions): Promise<QuorumStore> {
  const log = options.log ?? (() => {});
  const regionNames = [options.regions[0].region, options.regions[1].region] as const;
  const membership = new QuorumMembership(regionNames, options.witnessRegion);
  const authorityEndpoint = options.authorityEndpoint ?? options.regions[0].dynamodbEndpoint;
  const endpointOf = new Map(options.regions.map((r) => [r.region, r.dynamodbEndpoint]));
  let latencyMs = checkLatency(options.latencyMs ?? DEFAULT_QUORUM_LATENCY_MS);
  let stopped = false;
  if (options.tables.length === 0) throw new QuorumConfigError('no MRSC table to serve');

  const tables = new Map<string, TableInfo>(
    options.tables.map((input) => {
      const name = input.TableName;
      if (!name) throw new QuorumConfigError('an MRSC table without a TableName');
      return [
        name,
        {
          name,
          input,
          keyAttributes: keyAttributesOf(input),
          authorityName: authorityTableName(name),
          replicaName: (region: string) => replicaTableName(name, region),
        },
      ];
    }),
  );
  const tableNames = [...tables.keys()].sort();

  // The hidden tables (kept across restarts with --data-dir: only missing ones are created).
  const ensure = async (endpoint: string, names: Array<[string, CreateTableCommandInput]>) => {
    const existing = new Set((await callDynamoOk<{ TableNames?: string[] }>(endpoint, 'ListTables', {})).TableNames ?? []);
    for (const [hidden, input] of names) {
      if (existing.has(hidden)) continue;
      const { StreamSpecification: _streams, ...rest } = input;
      await callDynamoOk(endpoint, 'CreateTable', { ...rest, TableName: hidden });
    }
  };
  await ensure(
    authorityEndpoint,
    [...tables.values()].map((t) => [t.authorityName, t.input]),
  );
  for (const r of options.regions) {
    await ensure(
      r.dynamodbEndpoint,
      [...tables.values()].map((t) => [t.replicaName(r.region), t.input]),
    );
  }

  const copies = new ReplicaCopies({ authorityEndpoint, regions: options.regions, membership, log });
  await copies.resyncAll([...tables.values()]);

  // Keys with a write in flight, and from which region (ReplicatedWriteConflictException).
  const inFlight = new Map<string, Map<string, number>>();
  const markInFlight = (ids: string[], region: string, delta: 1 | -1) => {
    for (const id of ids) {
      const byRegion = inFlight.get(id) ?? new Map<string, number>();
      const count = (byRegion.get(region) ?? 0) + delta;
      if (count > 0) byRegion.set(region, count);
      else byRegion.delete(region);
      if (byRegion.size > 0) inFlight.set(id, byRegion);
      else inFlight.delete(id);
    }
  };
  const modifiedElsewhere = (ids: string[], region: string) =>
    ids.some((id) => [...(inFlight.get(id)?.keys() ?? [])].some((other) => other !== region));

  const served = (value: unknown): TableInfo => {
    const name = tableNameOf(value);
    if (name === undefined) throw new Refusal(errorAnswer('validation', 'TableName is required'));
    const table = tables.get(name);
    if (!table) {
      throw new Refusal(
        errorAnswer(
          'resourceNotFound',
          `Table ${name} is not served by the quorum door: it serves only the multi-Region strongly consistent tables ` +
            `(${tableNames.join(', ')}). Reach other tables through the region's DynamoDB endpoint.`,
        ),
      );
    }
    return table;
  };

  const isolated = (region: string): WireAnswer => {
    const view = membership.view(region);
    return errorAnswer(
      'isolated',
      `The ${region} replica of this multi-Region strongly consistent table cannot reach a quorum ` +
        `(it reaches ${view.reaches.length ? view.reaches.join(' and ') : 'no other participant'}: ${view.votes} of 3); ` +
        'only eventually consistent reads are served. Retry later.',
    );
  };

  /** Answers of DynamoDB Local name the hidden tables; clients must see the real names. */
  const publicAnswer = (answer: WireAnswer): WireAnswer => {
    let body = answer.body;
    for (const t of tables.values()) {
      body = body.split(t.authorityName).join(t.name);
      for (const r of regionNames) body = body.split(t.replicaName(r)).join(t.name);
    }
    return { status: answer.status, body };
  };

  const withTable = (body: Record<string, unknown>, hidden: string) => ({ ...body, TableName: hidden });

  /** Batch requests name several tables in RequestItems; every one must be an MRSC table. */
  const batchTables = (body: Record<string, unknown>): Array<[TableInfo, unknown]> => {
    const items = body.RequestItems;
    if (!items || typeof items !== 'object' || Array.isArray(items) || Object.keys(items).length === 0) {
      throw new Refusal(errorAnswer('validation', 'RequestItems must name at least one table'));
    }
    return Object.entries(items as Record<string, unknown>).map(([name, value]) => [served(name), value]);
  };
  const renameBatch = (body: Record<string, unknown>, pairs: Array<[TableInfo, unknown]>, hidden: (t: TableInfo) => string) => ({
    ...body,
    RequestItems: Object.fromEntries(pairs.map(([t, value]) => [hidden(t), value])),
  });

  const checkRunning = () => {
    if (stopped) throw new QuorumStoreStopped();
  };

  async function strongRead(region: string, operation: string, body: unknown): Promise<WireAnswer> {
    // Admitted only with the majority; the round trip confirms the latest committed version.
    if (!membership.hasMajority(region)) {
      await sleep(latencyMs);
      return isolated(region);
    }
    await sleep(latencyMs);
    checkRunning();
    if (!membership.hasMajority(region)) return isolated(region);
    return publicAnswer(await callDynamo(authorityEndpoint, operation, body));
  }

  async function eventualRead(region: string, operation: string, body: unknown): Promise<WireAnswer> {
    checkRunning();
    return publicAnswer(await callDynamo(endpointOf.get(region) as string, operation, body));
  }

  async function write(
    region: string,
    operation: string,
    body: unknown,
    keys: Array<{ table: TableInfo; key: WireItem }>,
  ): Promise<WireAnswer> {
    const ids = keys.map(({ table, key }) => `${table.name}\u0000${keyIdentity(table.keyAttributes, key)}`);
    if (!membership.hasMajority(region)) {
      await sleep(latencyMs);
      return isolated(region);
    }
    if (modifiedElsewhere(ids, region)) {
      // The conflict is learnt from the other region, one round trip away.
      await sleep(latencyMs);
      return errorAnswer(
        'replicatedWriteConflict',
        'One or more items in this request are being modified by a request in another Region. Retry the request.',
      );
    }
    markInFlight(ids, region, 1);
    try {
      await sleep(latencyMs);
      checkRunning();
      // Not committed unless a second participant still acknowledges it.
      if (!membership.hasMajority(region)) return isolated(region);
      const answer = await callDynamo(authorityEndpoint, operation, body);
      if (answer.status === 200) copies.committed(keys);
      return publicAnswer(answer);
    } finally {
      markInFlight(ids, region, -1);
    }
  }

  const requireKey = (table: TableInfo, value: unknown, what: string): WireItem => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Refusal(errorAnswer('validation', `${what} is required`));
    return keyOf(table.keyAttributes, value as WireItem);
  };

  async function handle(region: string, operation: string, body: Record<string, unknown>): Promise<WireAnswer> {
    switch (operation) {
      case 'GetItem':
      case 'Query':
      case 'Scan': {
        const table = served(body.TableName);
        return body.ConsistentRead === true
          ? strongRead(region, operation, withTable(body, table.authorityName))
          : eventualRead(region, operation, withTable(body, table.replicaName(region)));
      }
      case 'BatchGetItem': {
        const pairs = batchTables(body);
        // One strongly consistent table makes the whole request pay the round trip (simplification).
        const strong = pairs.some(([, v]) => (v as { ConsistentRead?: unknown })?.ConsistentRead === true);
        return strong
          ? strongRead(
              region,
              operation,
              renameBatch(body, pairs, (t) => t.authorityName),
            )
          : eventualRead(
              region,
              operation,
              renameBatch(body, pairs, (t) => t.replicaName(region)),
            );
      }
      case 'PutItem': {
        const table = served(body.TableName);
        const key = requireKey(table, body.Item, 'Item');
        return write(region, operation, withTable(body, table.authorityName), [{ table, key }]);
      }
      case 'UpdateItem':
      case 'DeleteItem': {
        const table = served(body.TableName);
        const key = requireKey(table, body.Key, 'Key');
        return write(region, operation, withTable(body, table.authorityName), [{ table, key }]);
      }
      case 'BatchWriteItem': {
        const pairs = batchTables(body);
        const keys = pairs.flatMap(([table, requests]) =>
          (Array.isArray(requests) ? requests : []).map((r: { PutRequest?: { Item?: unknown }; DeleteRequest?: { Key?: unknown } }) => ({
            table,
            key: requireKey(table, r.PutRequest?.Item ?? r.DeleteRequest?.Key, 'PutRequest.Item or DeleteRequest.Key'),
          })),
        );
        return write(
          region,
          operation,
          renameBatch(body, pairs, (t) => t.authorityName),
          keys,
        );
      }
      case 'TransactWriteItems':
      case 'TransactGetItems': {
        // "Global tables using MRSC do not support the transaction APIs"; the exception's name and
        // message are the emulation's choice (AWS: "Transactional operations on MRSC tables will
        // generate errors", V2globaltables_HowItWorks.html).
        const items = Array.isArray(body.TransactItems) ? (body.TransactItems as Array<Record<string, { TableName?: unknown }>>) : [];
        const names = items.flatMap((item) => Object.values(item ?? {}).map((op) => op?.TableName));
        const mrsc = names.map(tableNameOf).find((n) => n !== undefined && tables.has(n));
        if (mrsc === undefined) for (const name of names) served(name);
        return errorAnswer(
          'validation',
          `${operation} is not supported on a global table with multi-Region strong consistency (${mrsc ?? 'MRSC'}): write items one at a time with conditions`,
        );
      }
      case 'ExecuteTransaction':
        return errorAnswer('validation', 'Transactions are not supported on global tables with multi-Region strong consistency');
      case 'UpdateTimeToLive':
        served(body.TableName);
        return errorAnswer('validation', 'Time to Live (TTL) is not supported for global tables with multi-Region strong consistency');
      case 'DescribeTimeToLive':
        served(body.TableName);
        return okAnswer({ TimeToLiveDescription: { TimeToLiveStatus: 'DISABLED' } });
      case 'DescribeTable': {
        const table = served(body.TableName);
        const answer = publicAnswer(
          await callDynamo(endpointOf.get(region) as string, 'DescribeTable', { TableName: table.replicaName(region) }),
        );
        if (answer.status !== 200) return answer;
        const described = JSON.parse(answer.body) as { Table: Record<string, unknown> };
        return okAnswer({
          Table: {
            ...described.Table,
            TableArn: `arn:aws:dynamodb:${region}:000000000000:table/${table.name}`,
            GlobalTableVersion: '2019.11.21',
            MultiRegionConsistency: 'STRONG',
            Replicas: regionNames.filter((r) => r !== region).map((r) => ({ RegionName: r, ReplicaStatus: 'ACTIVE' })),
            GlobalTableWitnesses: [{ RegionName: options.witnessRegion, WitnessStatus: 'ACTIVE' }],
          },
        });
      }
      case 'ListTables':
        return okAnswer({ TableNames: tableNames });
      default:
        return errorAnswer(
          'validation',
          `${operation} is not emulated by the local quorum door (it serves GetItem, Query, Scan, BatchGetItem, PutItem, UpdateItem, ` +
            'DeleteItem, BatchWriteItem, DescribeTable, ListTables); the MRSC tables are created from serverless.yml',
        );
    }
  }

  const doors: QuorumDoorServer[] = [];
  try {
    for (const r of regionNames) {
      doors.push(
        await startQuorumDoor({
          region: r,
          ...(options.ports?.[r] !== undefined ? { port: options.ports[r] } : {}),
          log,
          handle: (operation, body) =>
            handle(r, operation, body).catch((error: unknown) => {
              if (error instanceof Refusal) return error.answer;
              throw error;
            }),
        }),
      );
    }
  } catch (error) {
    await Promise.all(doors.map((d) => d.stop()));
    copies.stop();
    throw error;
  }
  log(
    `[quorum] MRSC ${tableNames.join(', ')}: replicas ${regionNames.join(' and ')}, witness ${options.witnessRegion}, latency ${latencyMs} ms`,
  );

  const doorOf = (region: string) => {
    const door = doors.find((d) => d.region === region);
    if (!door) throw new QuorumConfigError(`Unknown region "${region}" (the replicas are ${regionNames.join(' and ')})`);
    return door;
  };

  return {
    membership,
    doors,
    doorOf,
    tables: tableNames,
    latencyMs: () => latencyMs,
    setLatency(ms) {
      latencyMs = checkLatency(ms);
      log(`[quorum] cross-region latency set to ${latencyMs} ms`);
    },
    status() {
      const snapshot = membership.snapshot();
      return {
        tables: tableNames,
        latencyMs,
        witness: snapshot.witness,
        linkPartitioned: snapshot.linkPartitioned,
        regions: snapshot.regions.map((view) => ({
          ...view,
          door: doorOf(view.region).url,
          catchUpPending: copies.pendingCount(view.region),
        })),
      };
    },
    async settled(timeoutMs = DEFAULT_SETTLE_TIMEOUT_MS) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        checkRunning();
        if (copies.settled()) return;
        if (Date.now() >= deadline) throw new QuorumSettleTimeout(timeoutMs, copies.pendingSummary());
        await sleep(20);
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      copies.stop();
      await Promise.all(doors.map((d) => d.stop()));
    },
  };
}
