// Two regions on one machine for the runbook tests: the primary uses the DynamoDB Local that
// jest's globalSetup started, the secondary a second DynamoDB Local this file starts. Each
// world gets its own copy of every table serverless.yml declares (same names in both regions,
// like a global table), and optionally the local replicator between them. The quorum store is
// ONE table that both regions reach (a healthy MRSC table is one linearizable store); the
// embedded runtime's emulation (local/quorum) adds isolation, and the e2e drills exercise it.
import '../../../../local/polyfills';
import { randomUUID } from 'node:crypto';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { tablesOf } from '../../../../local/cfn';
import { localDynamoClient } from '../../../../local/clients';
import { type DynamoDbLocal, ensureTables, startDynamoDbLocal } from '../../../../local/dynamodb-local';
import { freePort } from '../../../../local/ports';
import { createReplicator, type Replicator } from '../../../../local/replication';
import { loadServiceDefinition } from '../../../../local/service-definition';
import { recordKeys } from '../../../../services/runbooks/model';
import type { Notifier, RunbookDeps, RunbookParameters } from '../../../../services/runbooks/steps/ports';
import { ALL_CLIENT_PORTS, createRunbookDeps } from '../../../../services/runbooks/wiring';
import { AppStateError } from '../../../../shared/app-state/errors';
import { DynamoLeaseRecords } from '../../../../shared/app-state/lease-record';
import type { AppState } from '../../../../shared/app-state/model';
import { appStateKey, DynamoAppStateStore } from '../../../../shared/app-state/store';
import { withWriteScope } from '../../../../shared/app-state/write-deadline';
import { createWriteGate } from '../../../../shared/app-state/write-gate';
import { enforceWriteDeadline } from '../../../../shared/aws-clients';
import { newId } from '../../../../shared/photos/ids';
import { journalRecord, stampAttributes, tombstoneRecord, type WriteStamp } from '../../../../shared/write-journal/model';
import { declaredFunctions, withTestTables } from '../../../support/functions';
import { testDynamoEndpoint } from '../../../support/tables';

export const PRIMARY = 'us-east-1';
export const SECONDARY = 'us-west-2';
export const APP_ID = 'switchyard';

let secondaryDynamo: DynamoDbLocal | undefined;
let tableTemplates: CreateTableCommandInput[] | undefined;
const endpoints: Record<string, string> = {};
/** Each region's runbook environment as serverless.yml declares it (every runbook function has the same one). */
const runbookEnvironments: Record<string, Record<string, string>> = {};

/** Once per test file (beforeAll): the second DynamoDB Local, and the credentials the SDK wants. */
export async function startRegions(): Promise<void> {
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  secondaryDynamo = await startDynamoDbLocal();
  endpoints[PRIMARY] = testDynamoEndpoint();
  endpoints[SECONDARY] = secondaryDynamo.endpoint;
  const definition = await loadServiceDefinition('dev', PRIMARY);
  tableTemplates = tablesOf(definition.resources?.Resources, { region: PRIMARY });
  for (const region of [PRIMARY, SECONDARY]) {
    const declared = (await declaredFunctions(region)).runbookBegin;
    if (!declared) throw new Error(`serverless.yml declares no runbookBegin function in ${region}`);
    runbookEnvironments[region] = declared.environment;
  }
}

export async function stopRegions(): Promise<void> {
  await secondaryDynamo?.stop();
}

export interface SentMessage {
  subject: string;
  message: Record<string, unknown>;
}

export interface WorldOptions {
  /** Start the replicator between the regions (default true). */
  replicate?: boolean;
  lagMs?: number;
  /** Value of the auto-failover SSM parameter (null: missing). */
  killSwitch?: string | null;
  maxReplicationLagSeconds?: number | null;
  gateTimeoutSeconds?: number;
  /** Default: as in dev. */
  lockLeaseSeconds?: number;
  /** thresholds.autoFailoverMaxAlarmAgeSeconds (default: as in dev). */
  maxAlarmAgeSeconds?: number;
}

export interface AppWrite {
  /** State version the write is admitted under (default: what the region's replica shows). */
  stateVersion?: number;
  /** Moment of the write (default now). */
  at?: Date;
  /** The request digest the application gives a create whose id its request fixed (requestDigest). */
  request?: string;
}

export class World {
  readonly prefix = `t${randomUUID().slice(0, 8)}-`;
  readonly tables: { appState: string; photos: string; comments: string; idempotency: string; quorum: string };
  readonly clients: Record<string, DynamoDBDocumentClient>;
  readonly sent: SentMessage[] = [];
  replicator: Replicator | undefined;
  killSwitch: string | null;
  maxLagSeconds: number | null;

  constructor(private readonly options: WorldOptions) {
    const name = (suffix: string) => `${this.prefix}switchyard-dev-${suffix}`;
    this.tables = {
      appState: name('app-state'),
      photos: name('photos'),
      comments: name('comments'),
      idempotency: name('idempotency'),
      quorum: name('quorum'),
    };
    this.clients = Object.fromEntries(
      [PRIMARY, SECONDARY].map((region) => [
        region,
        DynamoDBDocumentClient.from(localDynamoClient(endpoints[region] as string, region), {
          marshallOptions: { removeUndefinedValues: true },
        }),
      ]),
    );
    this.killSwitch = options.killSwitch ?? null;
    this.maxLagSeconds = options.maxReplicationLagSeconds ?? null;
  }

  async create(): Promise<this> {
    const inputs = (tableTemplates ?? []).map((t) => ({ ...t, TableName: `${this.prefix}${t.TableName}` }));
    for (const region of [PRIMARY, SECONDARY]) await ensureTables(localDynamoClient(endpoints[region] as string, region), inputs);
    if (this.options.replicate !== false) await this.startReplication();
    return this;
  }

  async startReplication(): Promise<void> {
    this.replicator = createReplicator({
      regions: [
        { region: PRIMARY, dynamodbEndpoint: endpoints[PRIMARY] as string },
        { region: SECONDARY, dynamodbEndpoint: endpoints[SECONDARY] as string },
      ],
      tables: [this.tables.appState, this.tables.photos, this.tables.comments],
      lagMs: this.options.lagMs ?? 150,
    });
    await this.replicator.start();
  }

  async dispose(): Promise<void> {
    await this.replicator?.stop();
  }

  /** The runbook functions' environment in `region`: what serverless.yml declares, on this world's tables, with what these tests change. */
  env(region: string, extra: Record<string, string> = {}): Record<string, string> {
    const declaredTables = new Set((tableTemplates ?? []).map((t) => t.TableName));
    return {
      ...withTestTables(runbookEnvironments[region] ?? {}, (name) => (declaredTables.has(name) ? `${this.prefix}${name}` : undefined)),
      AWS_REGION: region,
      // A short write lease keeps the fence's drain short.
      WRITE_LEASE_MS: '1000',
      CLOCK_SKEW_MARGIN_MS: '200',
      // These tests write a region's probe record once and run for minutes on it.
      HEALTH_RECORD_STALE_SECONDS: '300',
      RUNBOOK_GATE_TIMEOUT_SECONDS: String(this.options.gateTimeoutSeconds ?? 20),
      ...(this.options.lockLeaseSeconds === undefined ? {} : { RUNBOOK_LOCK_LEASE_SECONDS: String(this.options.lockLeaseSeconds) }),
      ...(this.options.maxAlarmAgeSeconds === undefined ? {} : { RUNBOOK_MAX_ALARM_AGE_SECONDS: String(this.options.maxAlarmAgeSeconds) }),
      SWITCHYARD_REGION_ENDPOINTS: JSON.stringify({
        [PRIMARY]: { dynamodb: endpoints[PRIMARY], quorum: endpoints[PRIMARY] },
        [SECONDARY]: { dynamodb: endpoints[SECONDARY], quorum: endpoints[PRIMARY] },
      }),
      ...extra,
    };
  }

  /**
   * The runbook dependencies of `region`, wired by the real wiring. SSM and SNS are stand-ins
   * (no local endpoint in these tests); `unreachable` points a region's DynamoDB at a closed port,
   * `endpoints` at another endpoint (e.g. a stalling proxy); `env` adds to the functions' environment.
   */
  async deps(
    region: string,
    options: { unreachable?: string; endpoints?: Record<string, string>; quorum?: string; env?: Record<string, string> } = {},
  ): Promise<RunbookDeps> {
    // Both regions reach the one quorum store (through `options.quorum` when given); an
    // unreachable region's own tables are gone.
    const quorum = options.quorum ?? (endpoints[PRIMARY] as string);
    const map: Record<string, { dynamodb: string; quorum: string }> = {
      [PRIMARY]: { dynamodb: endpoints[PRIMARY] as string, quorum },
      [SECONDARY]: { dynamodb: endpoints[SECONDARY] as string, quorum },
    };
    if (options.unreachable) map[options.unreachable] = { dynamodb: `http://127.0.0.1:${await freePort()}`, quorum };
    for (const [r, endpoint] of Object.entries(options.endpoints ?? {})) map[r] = { dynamodb: endpoint, quorum };
    const parameters: RunbookParameters = {
      autoFailover: async () => this.killSwitch,
      maxReplicationLagSeconds: async () => this.maxLagSeconds,
    };
    const notifier: Notifier = {
      publish: async (subject, message) => {
        this.sent.push({ subject, message });
        return true;
      },
    };
    return createRunbookDeps(
      this.env(region, { ...options.env, SWITCHYARD_REGION_ENDPOINTS: JSON.stringify(map) }),
      {
        parameters,
        notifier,
      },
      ALL_CLIENT_PORTS,
    );
  }

  /** The quorum store, as `region` reaches it (the same store from both regions). */
  store(_region: string): DynamoAppStateStore {
    return new DynamoAppStateStore({
      client: this.clients[PRIMARY] as DynamoDBDocumentClient,
      tableName: this.tables.quorum,
      appId: APP_ID,
      primaryRegion: PRIMARY,
      secondaryRegion: SECONDARY,
    });
  }

  /** The regions' lease records in the quorum store, as the write gates keep them. */
  leases(): DynamoLeaseRecords {
    return new DynamoLeaseRecords(this.clients[PRIMARY] as DynamoDBDocumentClient, this.tables.quorum, APP_ID);
  }

  state(region: string): Promise<AppState> {
    return this.store(region).get({ consistent: true });
  }

  /** Writes a state item directly into the quorum store (setting up a scenario, not a transition). */
  async putState(_region: string, state: Partial<AppState> & Pick<AppState, 'state' | 'version'>): Promise<void> {
    const item = {
      ...appStateKey(APP_ID),
      appId: APP_ID,
      primaryRegion: PRIMARY,
      secondaryRegion: SECONDARY,
      activeRegion: state.state === 'failover' ? SECONDARY : PRIMARY,
      updatedAt: new Date().toISOString(),
      updatedBy: 'test-setup',
      reason: 'scenario',
      ...state,
    };
    await this.put(PRIMARY, 'quorum', item);
  }

  async healthy(region: string, healthySinceSecondsAgo = 3600): Promise<void> {
    const now = Date.now();
    await this.put(region, 'appState', {
      ...recordKeys.health(APP_ID, region),
      status: 'healthy',
      checkedAt: new Date(now).toISOString(),
      healthySince: new Date(now - healthySinceSecondsAgo * 1000).toISOString(),
    });
  }

  async put(region: string, table: keyof World['tables'], item: Record<string, unknown>): Promise<void> {
    await this.clients[region]?.send(new PutCommand({ TableName: this.tables[table], Item: item }));
  }

  async get(region: string, table: keyof World['tables'], key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    const { Item } =
      (await this.clients[region]?.send(new GetCommand({ TableName: this.tables[table], Key: key, ConsistentRead: true }))) ?? {};
    return Item;
  }

  async items(region: string, table: keyof World['tables'], pkPrefix: string): Promise<Array<Record<string, unknown>>> {
    const { Items = [] } =
      (await this.clients[region]?.send(
        new ScanCommand({
          TableName: this.tables[table],
          ConsistentRead: true,
          FilterExpression: 'begins_with(pk, :p)',
          ExpressionAttributeValues: { ':p': pkPrefix },
        }),
      )) ?? {};
    return Items;
  }

  stamp(region: string, stateVersion: number, at = new Date()): WriteStamp {
    return { writeId: newId(at), stateVersion, at: at.toISOString(), region };
  }

  /** An item written as the application writes it: stamped, with its journal entry, in one transaction. */
  async write(region: string, table: 'photos' | 'comments', item: Record<string, unknown>, options: AppWrite = {}): Promise<WriteStamp> {
    const made = this.stamp(region, options.stateVersion ?? (await this.state(region)).version, options.at);
    const stamp = options.request === undefined ? made : { ...made, request: options.request };
    const key = { pk: String(item.pk), sk: String(item.sk) };
    await this.clients[region]?.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.tables[table], Item: { ...item, ...stampAttributes(stamp) } } },
          { Put: { TableName: this.tables[table], Item: journalRecord(stamp, key, 'put') } },
        ],
      }),
    );
    return stamp;
  }

  /** A delete as the application makes it: the item goes, its tombstone and journal entry come, in one transaction. */
  async remove(region: string, table: 'photos' | 'comments', key: { pk: string; sk: string }, options: AppWrite = {}): Promise<WriteStamp> {
    const stamp = this.stamp(region, options.stateVersion ?? (await this.state(region)).version, options.at);
    await this.clients[region]?.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: this.tables[table], Key: key } },
          { Put: { TableName: this.tables[table], Item: tombstoneRecord(stamp, key) } },
          { Put: { TableName: this.tables[table], Item: journalRecord(stamp, key, 'delete') } },
        ],
      }),
    );
    return stamp;
  }

  /**
   * A photo write as the application makes it: through the region's write gate (the quorum's
   * state, a write lease), and the data client that refuses to send once that lease has ended.
   */
  async writePhoto(region: string, id: string): Promise<'written' | 'refused'> {
    let gate = this.gates.get(region);
    if (!gate) {
      const leases = this.leases();
      gate = createWriteGate({
        store: this.store(region),
        region,
        leaseMs: 1000,
        recordLease: (startedAt) => leases.record(region, startedAt),
      });
      this.gates.set(region, gate);
    }
    const client = this.dataClient(region);
    const admittedGate = gate;
    return withWriteScope(async () => {
      let admitted: { version: number };
      try {
        admitted = await admittedGate.assertWritable();
      } catch (error) {
        if (error instanceof AppStateError) return 'refused';
        throw error;
      }
      const stamp = this.stamp(region, admitted.version);
      const key = { pk: `PHOTO#${id}`, sk: 'PHOTO' };
      await client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tables.photos,
                Item: { ...key, id, title: id, createdAt: new Date().toISOString(), ...stampAttributes(stamp) },
              },
            },
            { Put: { TableName: this.tables.photos, Item: journalRecord(stamp, key, 'put') } },
          ],
        }),
      );
      return 'written';
    });
  }

  private readonly gates = new Map<string, ReturnType<typeof createWriteGate>>();
  private readonly dataClients = new Map<string, DynamoDBDocumentClient>();

  private dataClient(region: string): DynamoDBDocumentClient {
    let client = this.dataClients.get(region);
    if (!client) {
      client = DynamoDBDocumentClient.from(enforceWriteDeadline(localDynamoClient(endpoints[region] as string, region)));
      this.dataClients.set(region, client);
    }
    return client;
  }
}

export async function createWorld(options: WorldOptions = {}): Promise<World> {
  return new World(options).create();
}

/**
 * The hooks of a suite whose tests each make their own worlds: both regions for the whole file, and
 * every world made through the returned function disposed after its test.
 */
export function worldsPerTest(): (options?: WorldOptions) => Promise<World> {
  let worlds: World[] = [];
  beforeAll(startRegions);
  afterEach(async () => {
    await Promise.all(worlds.map((w) => w.dispose()));
    worlds = [];
  });
  afterAll(stopRegions);
  return async (options = {}) => {
    const created = await createWorld(options);
    worlds.push(created);
    return created;
  };
}
