import '../../local/polyfills';
import { startDynamoDbLocal } from '../../local/dynamodb-local';

// One real DynamoDB Local for the whole integration run; each test file creates
// its own uniquely named tables (tests/support/tables.ts), so files never collide.
export default async function globalSetup(): Promise<void> {
  const ddb = await startDynamoDbLocal();
  process.env.SWITCHYARD_TEST_DYNAMODB_ENDPOINT = ddb.endpoint;
  (globalThis as { __switchyardDynamo?: typeof ddb }).__switchyardDynamo = ddb;
}
