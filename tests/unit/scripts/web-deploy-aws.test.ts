import { CloudFormationClient, CloudFormationServiceException, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { cloudFormationStacks, s3SiteUploader } from '../../../scripts/web-deploy-aws';

const validationError = (message: string) =>
  new CloudFormationServiceException({ name: 'ValidationError', $fault: 'client', $metadata: { httpStatusCode: 400 }, message });

describe('cloudFormationStacks', () => {
  const cfn = mockClient(CloudFormationClient);
  afterEach(() => cfn.reset());
  const stacks = cloudFormationStacks(
    (region) => new CloudFormationClient({ region, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
  );

  it('returns the outputs by key', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'switchyard-dev' }).resolves({
      Stacks: [
        {
          StackName: 'switchyard-dev',
          CreationTime: new Date(),
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: [
            { OutputKey: 'HttpApiUrl', OutputValue: 'https://x.execute-api.us-east-1.amazonaws.com' },
            { OutputKey: 'SiteUrl', OutputValue: 'https://d1.cloudfront.net' },
          ],
        },
      ],
    });
    expect(await stacks.outputs('us-east-1', 'switchyard-dev')).toEqual({
      HttpApiUrl: 'https://x.execute-api.us-east-1.amazonaws.com',
      SiteUrl: 'https://d1.cloudfront.net',
    });
  });

  it('answers null for a stack that does not exist, and rethrows any other failure', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejectsOnce(validationError('Stack with id switchyard-dev does not exist'))
      .rejectsOnce(validationError('1 validation error detected'));
    expect(await stacks.outputs('us-west-2', 'switchyard-dev')).toBeNull();
    await expect(stacks.outputs('us-west-2', 'switchyard-dev')).rejects.toThrow('1 validation error detected');
  });
});

describe('s3SiteUploader', () => {
  const s3 = mockClient(S3Client);
  afterEach(() => s3.reset());

  it('puts the object with its content type and cache control, in the region asked', async () => {
    s3.on(PutObjectCommand).resolves({});
    const regions: string[] = [];
    const uploader = s3SiteUploader((region) => {
      regions.push(region);
      return new S3Client({ region, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    });
    await uploader.put('us-east-1', 'site-bucket', {
      key: 'index.html',
      body: '<!doctype html>',
      contentType: 'text/html',
      cacheControl: 'no-cache',
    });
    expect(regions).toEqual(['us-east-1']);
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'site-bucket',
      Key: 'index.html',
      Body: '<!doctype html>',
      ContentType: 'text/html',
      CacheControl: 'no-cache',
    });
  });
});
