import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CorruptAppState, IllegalTransition, StaleVersion, StateMismatch } from '../../../shared/app-state/errors';
import type { AppState } from '../../../shared/app-state/model';
import { appStateKey, DynamoAppStateStore, type TransitionCommand } from '../../../shared/app-state/store';
import { createTestTables } from '../../support/tables';

const regions = { primaryRegion: 'us-east-1', secondaryRegion: 'us-west-2' };
const owner = { requestedBy: 'oncall:integration-test', executionId: null, automatic: false };
const by = { updatedBy: 'integration-test', reason: 'testing transitions', fence: owner };

let client: DynamoDBClient;
let tableName: string;
let appCounter = 0;

beforeAll(async () => {
  const created = await createTestTables();
  client = created.client;
  tableName = created.tables.QuorumTable!;
});

/** A store for an app of its own, so tests share the table but never each other's item. */
function newStore(): { store: DynamoAppStateStore; appId: string } {
  appCounter += 1;
  const appId = `app-${appCounter}`;
  const store = new DynamoAppStateStore({ client: DynamoDBDocumentClient.from(client), tableName, appId, ...regions });
  return { store, appId };
}

/** The stored item exactly as DynamoDB holds it (no unmarshalling), read consistently. */
async function rawItem(appId: string) {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: tableName, Key: { pk: { S: `APP#${appId}` }, sk: { S: 'STATE' } }, ConsistentRead: true }),
  );
  return Item;
}

/** Walks a fresh app through `path` (each step from the state the previous one left). */
async function walk(store: DynamoAppStateStore, path: Array<Pick<TransitionCommand, 'to' | 'ungraceful'>>): Promise<AppState> {
  let state = await store.get({ consistent: true });
  for (const step of path) {
    state = await store.transition({ expectedState: state.state, expectedVersion: state.version, ...step, ...by });
  }
  return state;
}

async function refusalOf(attempt: Promise<unknown>): Promise<unknown> {
  return attempt.then(
    () => {
      throw new Error('expected the transition to be refused');
    },
    (error: unknown) => error,
  );
}

describe('DynamoAppStateStore', () => {
  it('returns the virtual initial state when nothing is stored, and writes nothing for it', async () => {
    // Prepare
    const { store, appId } = newStore();

    // Act
    const state = await store.get();

    // Assess
    expect(state).toMatchObject({ appId, state: 'active', activeRegion: 'us-east-1', version: 0 });
    expect(await rawItem(appId)).toBeUndefined();
  });

  it('applies the first transition from version 0 and refuses a second "first" transition', async () => {
    // Prepare
    const { store, appId } = newStore();
    const now = new Date('2026-03-04T05:06:07.000Z');

    // Act
    const fenced = await store.transition({ expectedState: 'active', expectedVersion: 0, to: 'fenced', ...by, now });
    const before = await rawItem(appId);
    const second = await refusalOf(store.transition({ expectedState: 'active', expectedVersion: 0, to: 'fenced', ...by }));

    // Assess
    expect(fenced).toEqual({
      appId,
      state: 'fenced',
      activeRegion: 'us-east-1',
      ...regions,
      version: 1,
      updatedAt: now.toISOString(),
      ...by,
      writesResumeAt: null,
    });
    expect(await store.get({ consistent: true })).toEqual(fenced);
    expect(second).toBeInstanceOf(StaleVersion);
    expect(second).toMatchObject({ expectedVersion: 0, actualVersion: 1 });
    expect(await rawItem(appId)).toStrictEqual(before);
  });

  it('moves the active region as the model says through a whole failover and failback', async () => {
    // Prepare
    const { store } = newStore();

    // Act
    const steps: Array<[string, number]> = [];
    let state = await store.get({ consistent: true });
    for (const to of ['fenced', 'failover', 'fenced', 'active'] as const) {
      state = await store.transition({ expectedState: state.state, expectedVersion: state.version, to, ...by });
      steps.push([`${state.state}@${state.activeRegion}`, state.version]);
    }

    // Assess
    expect(steps).toEqual([
      ['fenced@us-east-1', 1],
      ['failover@us-west-2', 2],
      ['fenced@us-west-2', 3],
      ['active@us-east-1', 4],
    ]);
  });

  it('fails over ungracefully straight from active when asked to', async () => {
    // Prepare
    const { store } = newStore();
    await walk(store, [{ to: 'fenced' }, { to: 'active' }]);

    // Act
    const state = await store.transition({ expectedState: 'active', expectedVersion: 2, to: 'failover', ungraceful: true, ...by });

    // Assess
    expect(state).toMatchObject({ state: 'failover', activeRegion: 'us-west-2', version: 3 });
  });

  it.each([
    ['from version 0', []],
    ['from a stored version', [{ to: 'fenced' as const }, { to: 'active' as const }]],
  ])('lets exactly one of two concurrent transitions %s win', async (_label, path) => {
    // Prepare
    const { store, appId } = newStore();
    const start = await walk(store, path);

    // Act
    const outcomes = await Promise.allSettled([
      store.transition({ expectedState: start.state, expectedVersion: start.version, to: 'fenced', ...by, updatedBy: 'writer-a' }),
      store.transition({
        expectedState: start.state,
        expectedVersion: start.version,
        to: 'failover',
        ungraceful: true,
        ...by,
        updatedBy: 'writer-b',
      }),
    ]);

    // Assess
    const won = outcomes.filter((o): o is PromiseFulfilledResult<AppState> => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(StaleVersion);
    const stored = await store.get({ consistent: true });
    expect(stored).toEqual(won[0]!.value);
    expect(stored.version).toBe(start.version + 1);
    expect((await rawItem(appId))?.updatedBy?.S).toBe(won[0]!.value.updatedBy);
  });

  it('lets exactly one of many concurrent writers win', async () => {
    // Prepare
    const { store } = newStore();
    const start = await walk(store, [{ to: 'fenced' }]);

    // Act
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        store.transition({
          expectedState: 'fenced',
          expectedVersion: start.version,
          to: i % 2 ? 'active' : 'failover',
          ...by,
          updatedBy: `w${i}`,
        }),
      ),
    );

    // Assess
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected'))
      expect(o.reason).toBeInstanceOf(StaleVersion);
    expect((await store.get({ consistent: true })).version).toBe(start.version + 1);
  });

  // Each refusal is attempted against a stored item (never the virtual one), so there is something to compare.
  it.each<
    [
      string,
      Array<Pick<TransitionCommand, 'to' | 'ungraceful'>>,
      Omit<TransitionCommand, 'updatedBy' | 'reason'>,
      new (...args: never[]) => Error,
    ]
  >([
    ['a stale version', [{ to: 'fenced' }, { to: 'active' }], { expectedState: 'active', expectedVersion: 1, to: 'fenced' }, StaleVersion],
    ['a future version', [{ to: 'fenced' }, { to: 'active' }], { expectedState: 'active', expectedVersion: 5, to: 'fenced' }, StaleVersion],
    [
      'the wrong expected state',
      [{ to: 'fenced' }, { to: 'active' }],
      { expectedState: 'fenced', expectedVersion: 2, to: 'active' },
      StateMismatch,
    ],
    [
      'active -> active',
      [{ to: 'fenced' }, { to: 'active' }],
      { expectedState: 'active', expectedVersion: 2, to: 'active' },
      IllegalTransition,
    ],
    [
      'active -> failover without ungraceful',
      [{ to: 'fenced' }, { to: 'active' }],
      { expectedState: 'active', expectedVersion: 2, to: 'failover' },
      IllegalTransition,
    ],
    [
      'failover -> active without a fence',
      [{ to: 'fenced' }, { to: 'failover' }],
      { expectedState: 'failover', expectedVersion: 2, to: 'active' },
      IllegalTransition,
    ],
    [
      'failover -> active even when ungraceful',
      [{ to: 'fenced' }, { to: 'failover' }],
      { expectedState: 'failover', expectedVersion: 2, to: 'active', ungraceful: true },
      IllegalTransition,
    ],
    ['fenced -> fenced', [{ to: 'fenced' }], { expectedState: 'fenced', expectedVersion: 1, to: 'fenced' }, IllegalTransition],
  ])('refuses %s and leaves the stored item byte-for-byte unchanged', async (_label, path, command, expected) => {
    // Prepare
    const { store, appId } = newStore();
    await walk(store, path);
    const before = await rawItem(appId);

    // Act
    const refusal = await refusalOf(store.transition({ ...command, ...by, updatedBy: 'refused-writer' }));

    // Assess
    expect(before).toBeDefined();
    expect(refusal).toBeInstanceOf(expected);
    expect(await rawItem(appId)).toStrictEqual(before);
  });

  it('refuses a version-0 transition that expects anything but the initial state, writing nothing', async () => {
    // Prepare
    const { store, appId } = newStore();

    // Act
    const refusal = await refusalOf(store.transition({ expectedState: 'fenced', expectedVersion: 0, to: 'failover', ...by }));

    // Assess
    expect(refusal).toBeInstanceOf(StateMismatch);
    expect(await rawItem(appId)).toBeUndefined();
  });

  it('refuses a version-0 transition once the state exists, whatever it expects', async () => {
    // Prepare
    const { store, appId } = newStore();
    await walk(store, [{ to: 'fenced' }]);
    const before = await rawItem(appId);

    // Act
    const refusal = await refusalOf(store.transition({ expectedState: 'fenced', expectedVersion: 0, to: 'active', ...by }));

    // Assess
    expect(refusal).toMatchObject({ code: 'STALE_VERSION', expectedVersion: 0, actualVersion: 1 });
    expect(await rawItem(appId)).toStrictEqual(before);
  });

  it('refuses to read a stored item that is not a valid state', async () => {
    // Prepare
    const { store, appId } = newStore();
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { pk: { S: appStateKey(appId).pk }, sk: { S: 'STATE' }, state: { S: 'maintenance' }, version: { N: '4' } },
      }),
    );

    // Act
    const read = store.get({ consistent: true });

    // Assess
    await expect(read).rejects.toBeInstanceOf(CorruptAppState);
  });
});
