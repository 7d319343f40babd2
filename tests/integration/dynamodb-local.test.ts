import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { createTestTables } from '../support/tables';

describe('DynamoDB Local test harness', () => {
  it('creates every table serverless.yml declares, with streams', async () => {
    const { client, tables } = await createTestTables();
    expect(Object.keys(tables).sort()).toEqual(['AppStateTable', 'CommentsTable', 'IdempotencyTable', 'PhotosTable', 'QuorumTable']);
    const described = await client.send(new DescribeTableCommand({ TableName: tables.AppStateTable }));
    expect(described.Table?.StreamSpecification?.StreamViewType).toBe('NEW_AND_OLD_IMAGES');
    expect(described.Table?.KeySchema?.map((k) => k.AttributeName)).toEqual(['pk', 'sk']);
  });
});
