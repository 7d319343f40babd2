// The runbooks' own records, kept in the local replica of the app-state table (see model.ts,
// recordKeys): audit records, run reports, failover watermarks, and the reading of
// health-probe records.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { readHealthRecord } from '../../../shared/health/reading';
import type { JournalProgress } from '../decisions/journal-verification';
import {
  type AuditRecord,
  executionNameOf,
  type RegionHealth,
  type ReportStep,
  type RunReport,
  recordKeys,
  type WatermarkRecord,
} from '../model';
import type {
  AuditLog,
  RegionHealthProbe,
  ReportStore,
  SavedVerification,
  VerificationRuns,
  VerifiedPoints,
  WatermarkStore,
} from '../steps/ports';

const AUDIT_PAGES_SEARCHED = 10;

export class DynamoRunbookRecords implements AuditLog, ReportStore, RegionHealthProbe {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly appId: string,
    private readonly options: { healthStaleSeconds: number; clock: () => Date },
  ) {}

  // --- audit ----------------------------------------------------------------------------

  async record(entry: AuditRecord): Promise<void> {
    const executionName = executionNameOf(entry.executionId);
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: { ...recordKeys.audit(this.appId, entry.at, executionName, entry.to), ...entry } }),
    );
  }

  async lastAutomaticFailoverAt(): Promise<string | null> {
    let startKey: Record<string, unknown> | undefined;
    for (let page = 0; page < AUDIT_PAGES_SEARCHED; page += 1) {
      const { Items = [], LastEvaluatedKey } = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          FilterExpression: 'automatic = :yes AND runbook = :failover',
          ExpressionAttributeValues: { ':pk': recordKeys.auditPartition(this.appId), ':yes': true, ':failover': 'failover' },
          ScanIndexForward: false,
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      const newest = Items[0];
      if (newest) return String(newest.at);
      if (!LastEvaluatedKey) return null;
      startKey = LastEvaluatedKey;
    }
    return null;
  }

  // --- reports --------------------------------------------------------------------------

  async begin(report: RunReport): Promise<void> {
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: { ...recordKeys.report(this.appId, report.executionName), ...report } }),
    );
  }

  async appendStep(executionName: string, step: ReportStep): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: recordKeys.report(this.appId, executionName),
        UpdateExpression: 'SET steps = list_append(if_not_exists(steps, :empty), :step)',
        ExpressionAttributeValues: { ':empty': [], ':step': [step] },
      }),
    );
  }

  async finish(
    executionName: string,
    patch: Pick<RunReport, 'status' | 'finishedAt' | 'verdict' | 'error' | 'recovery' | 'summary' | 'overrides'>,
  ): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = Object.entries(patch).map(([key, value], i) => {
      names[`#f${i}`] = key;
      values[`:v${i}`] = value;
      return `#f${i} = :v${i}`;
    });
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: recordKeys.report(this.appId, executionName),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async get(executionName: string): Promise<RunReport | null> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: recordKeys.report(this.appId, executionName), ConsistentRead: true }),
    );
    if (!Item) return null;
    const { pk: _pk, sk: _sk, ...report } = Item;
    return report as RunReport;
  }

  // --- health-probe records ---------------------------------------------------------------

  async healthOf(region: string): Promise<RegionHealth> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: recordKeys.health(this.appId, region), ConsistentRead: true }),
    );
    return interpretHealthRecord(Item, this.options.clock(), this.options.healthStaleSeconds);
  }
}

/** A probe record as the preconditions read it (shared/health/reading.ts decides fresh or stale). */
export function interpretHealthRecord(item: Record<string, unknown> | undefined, now: Date, staleSeconds: number): RegionHealth {
  const reading = readHealthRecord(item, now, staleSeconds);
  const { checkedAt, healthySince } = reading;
  switch (reading.unknownBecause) {
    case 'no record':
      return { status: 'unknown', checkedAt: null, healthySince: null, detail: 'no probe record' };
    case 'no checkedAt':
      return { status: 'unknown', checkedAt: null, healthySince: null, detail: 'probe record without checkedAt' };
    case 'stale':
      return { status: 'unknown', checkedAt, healthySince: null, detail: `probe record is ${Math.round(reading.ageSeconds ?? 0)} s old` };
    case 'unknown status':
      return { status: 'unknown', checkedAt, healthySince: null, detail: `probe status "${String(item?.status).slice(0, 40)}"` };
    default:
      break;
  }
  if (reading.status === 'healthy') return { status: 'healthy', checkedAt, healthySince, detail: `healthy at ${checkedAt}` };
  const why = typeof item?.detail === 'string' ? `: ${item.detail.slice(0, 200)}` : '';
  return { status: 'unhealthy', checkedAt, healthySince: null, detail: `unhealthy at ${checkedAt}${why}` };
}

/** Failover watermarks: saved in this region's replica, read from any region's. */
export class DynamoWatermarks implements WatermarkStore, VerifiedPoints {
  constructor(
    private readonly clientFor: (region: string) => DynamoDBDocumentClient,
    private readonly localRegion: string,
    private readonly tableName: string,
    private readonly appId: string,
  ) {}

  async save(watermark: WatermarkRecord, executionName: string): Promise<void> {
    await this.clientFor(this.localRegion).send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...recordKeys.watermark(this.appId, watermark.promotedAt, executionName), ...watermark },
      }),
    );
  }

  async latest(region: string = this.localRegion): Promise<WatermarkRecord | null> {
    const { Items = [] } = await this.clientFor(region).send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': recordKeys.watermarkPartition(this.appId) },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const item = Items[0];
    if (!item) return null;
    return {
      promotedAt: String(item.promotedAt),
      executionId: String(item.executionId),
      mode: item.mode as WatermarkRecord['mode'],
      promotedVersion: typeof item.promotedVersion === 'number' ? item.promotedVersion : null,
      verifiedThrough: typeof item.verifiedThrough === 'string' ? item.verifiedThrough : null,
    };
  }

  async latestVerified(source: string, target: string): Promise<string | null> {
    const { Item } = await this.clientFor(this.localRegion).send(
      new GetCommand({ TableName: this.tableName, Key: recordKeys.verifiedPoint(this.appId, source, target), ConsistentRead: true }),
    );
    return typeof Item?.through === 'string' ? Item.through : null;
  }

  async recordVerified(source: string, target: string, through: string, executionName: string): Promise<void> {
    try {
      await this.clientFor(this.localRegion).send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: recordKeys.verifiedPoint(this.appId, source, target),
          UpdateExpression: 'SET through = :through, executionName = :execution',
          ConditionExpression: 'attribute_not_exists(through) OR through < :through',
          ExpressionAttributeValues: { ':through': through, ':execution': executionName },
        }),
      );
    } catch (error) {
      // A later point is already there: it stays.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

/**
 * The background verification's proof in progress (one item per direction, beside the verified
 * point, in this region's replica). The proof is kept as JSON: only the verification reads it.
 */
export class DynamoVerificationRuns implements VerificationRuns {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly appId: string,
  ) {}

  async claim(
    source: string,
    target: string,
    runId: string,
    now: number,
    leaseUntil: number,
  ): Promise<({ claimed: true } & SavedVerification) | { claimed: false }> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: recordKeys.verificationRun(this.appId, source, target),
          UpdateExpression: 'SET runId = :run, leaseUntil = :lease',
          ConditionExpression: 'attribute_not_exists(leaseUntil) OR leaseUntil < :now',
          ExpressionAttributeValues: { ':run': runId, ':lease': leaseUntil, ':now': now },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { claimed: true, ...savedOf(Attributes) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { claimed: false };
      throw error;
    }
  }

  async peek(source: string, target: string): Promise<SavedVerification> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: recordKeys.verificationRun(this.appId, source, target), ConsistentRead: true }),
    );
    return savedOf(Item);
  }

  async release(
    source: string,
    target: string,
    runId: string,
    save: { progress: JournalProgress | null; recordedThrough?: string },
  ): Promise<boolean> {
    const set = [
      ...(save.progress === null ? [] : ['progress = :progress']),
      ...(save.recordedThrough === undefined ? [] : ['recordedThrough = :recorded']),
    ];
    const remove = ['runId', 'leaseUntil', ...(save.progress === null ? ['progress'] : [])];
    const update = {
      UpdateExpression: `${set.length > 0 ? `SET ${set.join(', ')} ` : ''}REMOVE ${remove.join(', ')}`,
      ExpressionAttributeValues: {
        ':run': runId,
        ...(save.progress === null ? {} : { ':progress': JSON.stringify(save.progress) }),
        ...(save.recordedThrough === undefined ? {} : { ':recorded': save.recordedThrough }),
      },
    };
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: recordKeys.verificationRun(this.appId, source, target),
          ConditionExpression: 'runId = :run',
          ...update,
        }),
      );
      return true;
    } catch (error) {
      // Another run took the proof over (this one outlived its lease): its save stands.
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

function savedOf(item: Record<string, unknown> | undefined): SavedVerification {
  return {
    progress: typeof item?.progress === 'string' ? (JSON.parse(item.progress) as JournalProgress) : null,
    recordedThrough: typeof item?.recordedThrough === 'string' ? item.recordedThrough : null,
  };
}
