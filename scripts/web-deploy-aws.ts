// The AWS adapters of `npm run deploy:web` (the ports of scripts/web-deploy.ts).
import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SiteUploader, StackOutputsReader } from './web-deploy';

/** Stack outputs by key; null for a stack that does not exist (DescribeStacks answers a ValidationError "... does not exist"). */
export function cloudFormationStacks(clientFor: (region: string) => CloudFormationClient): StackOutputsReader {
  return {
    async outputs(region, stackName) {
      try {
        const { Stacks } = await clientFor(region).send(new DescribeStacksCommand({ StackName: stackName }));
        const outputs: Record<string, string> = {};
        for (const o of Stacks?.[0]?.Outputs ?? []) if (o.OutputKey && o.OutputValue) outputs[o.OutputKey] = o.OutputValue;
        return outputs;
      } catch (error) {
        const e = error as { name?: string; message?: string };
        if (e.name === 'ValidationError' && /does not exist/.test(e.message ?? '')) return null;
        throw error;
      }
    },
  };
}

export function s3SiteUploader(clientFor: (region: string) => S3Client): SiteUploader {
  return {
    async put(region, bucket, object) {
      await clientFor(region).send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: object.key,
          Body: object.body,
          ContentType: object.contentType,
          CacheControl: object.cacheControl,
        }),
      );
    },
  };
}

/** One client per region, created on first use. */
export function perRegion<T extends { destroy(): void }>(create: (region: string) => T) {
  const clients = new Map<string, T>();
  return {
    get: (region: string): T => {
      const client = clients.get(region) ?? create(region);
      clients.set(region, client);
      return client;
    },
    destroyAll: () => {
      for (const client of clients.values()) client.destroy();
    },
  };
}
