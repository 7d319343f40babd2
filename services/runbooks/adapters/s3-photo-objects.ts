// This region's photo bucket as the replication gate sees it: does an object exist, with which
// ETag. The bucket is SSE-S3 (infra/resources/buckets.yml), so a single-part object's ETag is its
// MD5 and S3 replication keeps it on the replica: the same ETag means the same bytes.
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { PhotoObjects } from '../steps/ports';

export class S3PhotoObjects implements PhotoObjects {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async etagOf(key: string): Promise<string | null> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return head.ETag ?? '';
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404 || (error as Error).name === 'NotFound') return null;
      throw error;
    }
  }
}
