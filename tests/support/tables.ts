import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { tablesOf } from '../../local/cfn';
import { localDynamoClient } from '../../local/clients';
import { ensureTables } from '../../local/dynamodb-local';
import { loadServiceDefinition } from '../../local/service-definition';

export function testDynamoEndpoint(): string {
  const endpoint = process.env.SWITCHYARD_TEST_DYNAMODB_ENDPOINT;
  if (!endpoint)
    throw new Error('SWITCHYARD_TEST_DYNAMODB_ENDPOINT is unset: run integration tests through jest (globalSetup starts DynamoDB Local)');
  return endpoint;
}

/**
 * Creates this test file's own copy of every table serverless.yml declares (same keys,
 * indexes and streams), under a unique prefix, and returns logical name -> table name
 * (e.g. { AppStateTable: 't1a2b-switchyard-dev-app-state' }), and the copy of a declared table name
 * (tableOf('switchyard-dev-app-state')), for function environments (tests/support/functions.ts).
 */
export async function createTestTables(): Promise<{
  client: DynamoDBClient;
  tables: Record<string, string>;
  tableOf: (declaredName: string) => string | undefined;
}> {
  const definition = await loadServiceDefinition('dev', 'us-east-1');
  const prefix = `t${randomUUID().slice(0, 8)}-`;
  const resources = definition.resources?.Resources ?? {};
  const client = localDynamoClient(testDynamoEndpoint());
  const tables: Record<string, string> = {};
  const inputs = tablesOf(resources, { region: 'us-east-1' }).map((t) => ({ ...t, TableName: `${prefix}${t.TableName}` }));
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::DynamoDB::GlobalTable') continue;
    tables[logicalId] = `${prefix}${(resource.Properties as { TableName: string }).TableName}`;
  }
  await ensureTables(client, inputs);
  const copies = new Set(Object.values(tables));
  const tableOf = (declaredName: string) => (copies.has(`${prefix}${declaredName}`) ? `${prefix}${declaredName}` : undefined);
  return { client, tables, tableOf };
}
