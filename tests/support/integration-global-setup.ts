import '../../local/polyfills';
import { startDynamoDbLocal } from '../../local/dynamodb-local';
import { loadServiceDefinition } from '../../local/service-definition';

// One real DynamoDB Local for the whole integration run; each test file creates
// its own uniquely named tables (tests/support/tables.ts), so files never collide.
export default async function globalSetup(): Promise<void> {
  // serverless.yml resolved for both regions once (cached), before any test file's hook needs it.
  const [ddb] = await Promise.all([
    startDynamoDbLocal(),
    loadServiceDefinition('dev', 'us-east-1'),
    loadServiceDefinition('dev', 'us-west-2'),
  ]);
  process.env.SWITCHYARD_TEST_DYNAMODB_ENDPOINT = ddb.endpoint;
  (globalThis as { __switchyardDynamo?: typeof ddb }).__switchyardDynamo = ddb;
}
