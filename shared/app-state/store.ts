// The application state's port and its DynamoDB adapter. The item lives in the app-state
// global table of each region; every transition is ONE conditional write on (state, version),
// so two writers racing from the same version cannot both win, and a stale or illegal
// transition is never applied.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CorruptAppState, InvalidTransitionCommand, StaleVersion, StateMismatch } from './errors';
import {
  ACTIVE_REGION_ON_ENTERING,
  APP_STATE_NAMES,
  type AppIdentity,
  type AppState,
  type AppStateName,
  assertLegalTransition,
  type FenceOwner,
  initialAppState,
  nextAppState,
} from './model';

export interface TransitionCommand {
  expectedState: AppStateName;
  expectedVersion: number;
  to: AppStateName;
  /** Allows active → failover without a fence (see model.ts). */
  ungraceful?: boolean;
  updatedBy: string;
  reason: string;
  now?: Date;
  /** Who sets the fence; required when `to` is `fenced`. */
  fence?: FenceOwner;
  /** When the region made writable may accept writes (default: at once). */
  writesResumeAt?: Date;
}

export interface AppStateStore {
  /** The current state; the virtual initial state (version 0) when none was ever written. */
  get(options?: { consistent?: boolean }): Promise<AppState>;
  /** Applies a legal transition from exactly (expectedState, expectedVersion), or throws and writes nothing. */
  transition(command: TransitionCommand): Promise<AppState>;
  /**
   * Moves the state's writesResumeAt later (never earlier), only while it is still at `version`;
   * a version that moved on throws StaleVersion. No transition: the version stays.
   */
  holdWritesUntil(version: number, until: Date): Promise<AppState>;
}

export const appStateKey = (appId: string) => ({ pk: `APP#${appId}`, sk: 'STATE' });

const MAX_TEXT_LENGTH = 1024;

export interface DynamoAppStateStoreOptions extends AppIdentity {
  client: DynamoDBDocumentClient;
  tableName: string;
  clock?: () => Date;
}

export class DynamoAppStateStore implements AppStateStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly app: AppIdentity;
  private readonly clock: () => Date;

  constructor(options: DynamoAppStateStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.app = { appId: options.appId, primaryRegion: options.primaryRegion, secondaryRegion: options.secondaryRegion };
    this.clock = options.clock ?? (() => new Date());
  }

  async get(options: { consistent?: boolean } = {}): Promise<AppState> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: appStateKey(this.app.appId), ConsistentRead: options.consistent === true }),
    );
    return Item ? this.parse(Item) : initialAppState(this.app);
  }

  async transition(command: TransitionCommand): Promise<AppState> {
    validate(command);
    assertLegalTransition(command.expectedState, command.to, command);
    const now = command.now ?? this.clock();
    if (command.expectedVersion === 0) return this.firstTransition(command, now);

    const names: Record<string, string> = {
      '#state': 'state',
      '#version': 'version',
      '#updatedAt': 'updatedAt',
      '#updatedBy': 'updatedBy',
      '#reason': 'reason',
    };
    const values: Record<string, unknown> = {
      ':expectedState': command.expectedState,
      ':expectedVersion': command.expectedVersion,
      ':to': command.to,
      ':next': command.expectedVersion + 1,
      ':updatedAt': now.toISOString(),
      ':updatedBy': command.updatedBy,
      ':reason': command.reason,
    };
    const sets = ['#state = :to', '#version = :next', '#updatedAt = :updatedAt', '#updatedBy = :updatedBy', '#reason = :reason'];
    const removes: string[] = [];
    names['#fence'] = 'fence';
    if (command.to === 'fenced' && command.fence) {
      values[':fence'] = command.fence;
      sets.push('#fence = :fence');
    } else removes.push('#fence');
    names['#writesResumeAt'] = 'writesResumeAt';
    if (command.to !== 'fenced' && command.writesResumeAt) {
      values[':writesResumeAt'] = command.writesResumeAt.toISOString();
      sets.push('#writesResumeAt = :writesResumeAt');
    } else removes.push('#writesResumeAt');
    // Entering `fenced` leaves activeRegion as it is, which is why this is an update and not a put:
    // the new item depends on the stored one, and reading it first would open a race.
    const entering = ACTIVE_REGION_ON_ENTERING[command.to];
    if (entering !== 'unchanged') {
      names['#activeRegion'] = 'activeRegion';
      values[':activeRegion'] = entering === 'primary' ? this.app.primaryRegion : this.app.secondaryRegion;
      sets.push('#activeRegion = :activeRegion');
    }
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: appStateKey(this.app.appId),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: '#state = :expectedState AND #version = :expectedVersion',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      if (!Attributes) throw new CorruptAppState('The state update returned no item');
      return this.parse(Attributes);
    } catch (error) {
      throw conflictOf(error, command);
    }
  }

  async holdWritesUntil(version: number, until: Date): Promise<AppState> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: appStateKey(this.app.appId),
          UpdateExpression: 'SET #writesResumeAt = :until',
          ConditionExpression: '#version = :version AND (attribute_not_exists(#writesResumeAt) OR #writesResumeAt < :until)',
          ExpressionAttributeNames: { '#version': 'version', '#writesResumeAt': 'writesResumeAt' },
          ExpressionAttributeValues: { ':version': version, ':until': until.toISOString() },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      if (!Attributes) throw new CorruptAppState('The state update returned no item');
      return this.parse(Attributes);
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'ConditionalCheckFailedException') throw error;
      const old = (error as { Item?: Record<string, AttributeValue> }).Item;
      const actual = old?.version?.N === undefined ? 0 : Number(old.version.N);
      if (actual !== version) throw new StaleVersion(version, actual);
      // Already held at least that long.
      return this.get({ consistent: true });
    }
  }

  /** From the virtual initial state: the item must not exist yet. */
  private async firstTransition(command: TransitionCommand, now: Date): Promise<AppState> {
    const initial = initialAppState(this.app);
    if (command.expectedState !== initial.state) {
      // Cannot succeed: version 0 only ever means the initial state. Find out which error is true without writing.
      const current = await this.get({ consistent: true });
      if (current.version !== 0) throw new StaleVersion(0, current.version);
      throw new StateMismatch(command.expectedState, current.state, 0);
    }
    const next = nextAppState(initial, { ...command, now });
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...appStateKey(this.app.appId), ...next },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return next;
    } catch (error) {
      throw conflictOf(error, command);
    }
  }

  private parse(item: Record<string, unknown>): AppState {
    const { state, version, activeRegion, updatedAt, updatedBy, reason, fence, writesResumeAt } = item;
    const regions = [this.app.primaryRegion, this.app.secondaryRegion];
    if (
      !APP_STATE_NAMES.includes(state as AppStateName) ||
      typeof version !== 'number' ||
      !Number.isSafeInteger(version) ||
      version < 1 ||
      typeof activeRegion !== 'string' ||
      !regions.includes(activeRegion) ||
      typeof updatedAt !== 'string' ||
      typeof updatedBy !== 'string' ||
      typeof reason !== 'string' ||
      (writesResumeAt !== undefined && writesResumeAt !== null && typeof writesResumeAt !== 'string') ||
      (fence !== undefined && fence !== null && !isFenceOwner(fence))
    ) {
      throw new CorruptAppState(`The stored application state of ${this.app.appId} is not a valid state`);
    }
    return {
      ...this.app,
      state: state as AppStateName,
      activeRegion,
      version,
      updatedAt,
      updatedBy,
      reason,
      fence: (fence as FenceOwner | undefined) ?? null,
      writesResumeAt: (writesResumeAt as string | undefined) ?? null,
    };
  }
}

function isFenceOwner(value: unknown): value is FenceOwner {
  const v = value as Partial<FenceOwner>;
  return (
    typeof v === 'object' &&
    typeof v.requestedBy === 'string' &&
    typeof v.automatic === 'boolean' &&
    (v.executionId === null || typeof v.executionId === 'string')
  );
}

function validate(command: TransitionCommand): void {
  const problems: string[] = [];
  if (!APP_STATE_NAMES.includes(command.expectedState)) problems.push('expectedState must be active, fenced or failover');
  if (!APP_STATE_NAMES.includes(command.to)) problems.push('to must be active, fenced or failover');
  if (!Number.isSafeInteger(command.expectedVersion) || command.expectedVersion < 0)
    problems.push('expectedVersion must be an integer >= 0');
  for (const field of ['updatedBy', 'reason'] as const) {
    const value = command[field];
    if (typeof value !== 'string' || value.trim() === '' || value.length > MAX_TEXT_LENGTH) {
      problems.push(`${field} must be a non-empty string of at most ${MAX_TEXT_LENGTH} characters`);
    }
  }
  if (command.now !== undefined && Number.isNaN(command.now.getTime())) problems.push('now must be a valid date');
  if (command.to === 'fenced' && !command.fence) problems.push('fence (who sets it) is required when entering fenced');
  if (command.writesResumeAt !== undefined && Number.isNaN(command.writesResumeAt.getTime()))
    problems.push('writesResumeAt must be a valid date');
  if (problems.length > 0) throw new InvalidTransitionCommand(`Invalid state transition: ${problems.join('; ')}`);
}

/**
 * Which conflict a failed condition was, from the item as it stood (ALL_OLD; lib-dynamodb does not
 * unmarshall errors, so it is read raw). The version is the fencing token: a version mismatch
 * is reported as StaleVersion even when the state differs too.
 */
function conflictOf(error: unknown, command: TransitionCommand): unknown {
  if (!(error instanceof Error) || error.name !== 'ConditionalCheckFailedException') return error;
  const old = (error as { Item?: Record<string, AttributeValue> }).Item;
  const actualVersion = old?.version?.N === undefined ? 0 : Number(old.version.N);
  const actualState = (old?.state?.S ?? 'active') as AppStateName;
  if (actualVersion !== command.expectedVersion) return new StaleVersion(command.expectedVersion, actualVersion);
  if (actualState !== command.expectedState) return new StateMismatch(command.expectedState, actualState, actualVersion);
  // Both matched the item as it stood, so the condition cannot have failed on them: treat as a lost race.
  return new StaleVersion(command.expectedVersion, actualVersion);
}
