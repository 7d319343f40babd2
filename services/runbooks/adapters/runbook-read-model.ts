// The runbooks' read model, for the tools that look at runs from outside (the on-call CLI, the
// drills): the records the runbooks keep, read by the keys the code that writes them uses
// (model.ts recordKeys, shared/health/record.ts), and what each step handed on in an execution's
// history, found under the ResultPath its ASL gives it (state-machines/definitions.ts).
// Not for the runbook functions themselves: it loads the ASL files.
import { GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { HealthRecord } from '../../../shared/health/record';
import { taskResultKeys } from '../../../state-machines/definitions';
import { type AuditRecord, executionNameOf, type RunReport, recordKeys } from '../model';
import type { LockHolder } from '../steps/ports';
import { lockHolderOf } from './quorum-runbook-lock';

/** One table as a region reaches it: the app-state table (reports, audit, probes) or the quorum store (lock). */
export interface RecordSource {
  client: DynamoDBDocumentClient;
  tableName: string;
  appId: string;
}

export class RunbookRecordsReader {
  constructor(private readonly source: RecordSource) {}

  /** A run's report, by execution name or ARN; null when the run left none in this replica. */
  async report(execution: string): Promise<RunReport | null> {
    const { client, tableName, appId } = this.source;
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: recordKeys.report(appId, executionNameOf(execution)), ConsistentRead: true }),
    );
    if (!Item) return null;
    const { pk: _pk, sk: _sk, ...report } = Item;
    return report as RunReport;
  }

  /** The state transitions the runbooks recorded (audit), newest first. */
  async auditTrail(options: { limit?: number } = {}): Promise<AuditRecord[]> {
    const { client, tableName, appId } = this.source;
    const { Items = [] } = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': recordKeys.auditPartition(appId) },
        ScanIndexForward: false,
        ...(options.limit ? { Limit: options.limit } : {}),
      }),
    );
    return Items as AuditRecord[];
  }

  /** The runbook lock item as stored, expired or not (quorum store). */
  async lock(options: { consistent: boolean }): Promise<LockHolder | null> {
    const { client, tableName, appId } = this.source;
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: recordKeys.lock(appId), ConsistentRead: options.consistent }),
    );
    return lockHolderOf(Item);
  }

  /** What a region's health probe last wrote, as replicated into this table. */
  async healthRecord(region: string): Promise<HealthRecord | undefined> {
    const { client, tableName, appId } = this.source;
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: recordKeys.health(appId, region), ConsistentRead: true }),
    );
    return Item as HealthRecord | undefined;
  }
}

/** Every event of an execution's history so far, oldest first. */
export async function executionHistory(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** The execution document a state's exit event carries ({} when unreadable). */
export function documentOf(output: string | undefined): Record<string, unknown> {
  try {
    return JSON.parse(output ?? '{}') as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** The key of the execution document a Task state stores its result under (its ResultPath), if any. */
export function resultKeyOf(state: string): string | undefined {
  return taskResultKeys()[state];
}

/** What a Task state handed on when it exited, read from the document under its ResultPath. */
export function stepResultOf<T = Record<string, unknown>>(state: string, output: string | undefined): T | undefined {
  const key = resultKeyOf(state);
  return key ? (documentOf(output)[key] as T | undefined) : undefined;
}

/** The results of every exit of `state` in a history, oldest first. */
export function stepResults<T = Record<string, unknown>>(events: readonly HistoryEvent[], state: string): T[] {
  return events.flatMap((e) => {
    if (e.stateExitedEventDetails?.name !== state) return [];
    const result = stepResultOf<T>(state, e.stateExitedEventDetails.output);
    return result === undefined ? [] : [result];
  });
}
