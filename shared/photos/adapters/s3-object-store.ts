import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { UploadChanged } from '../errors';
import type { ImageType, ObjectStore, PresignedRequest, StoredObject } from '../model';

const status = (error: unknown): number | undefined => (error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined);

/** The region's photo bucket. Conditional reads and copies pin the version that was checked. */
export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  private expiresAt(seconds: number): string {
    return new Date(this.clock().getTime() + seconds * 1000).toISOString();
  }

  async presignUpload(
    key: string,
    options: { contentType: ImageType; contentLength: number; expiresInSeconds: number },
  ): Promise<PresignedRequest> {
    // Content-Type and Content-Length are signed: S3 refuses an upload of another size or type.
    const url = await getSignedUrl(
      this.client,
      new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentType: options.contentType, ContentLength: options.contentLength }),
      { expiresIn: options.expiresInSeconds, signableHeaders: new Set(['content-type', 'content-length']) },
    );
    return {
      url,
      method: 'PUT',
      headers: { 'Content-Type': options.contentType },
      expiresAt: this.expiresAt(options.expiresInSeconds),
    };
  }

  async presignDownload(key: string, options: { expiresInSeconds: number }): Promise<PresignedRequest> {
    const url = await getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
      expiresIn: options.expiresInSeconds,
    });
    return { url, method: 'GET', headers: {}, expiresAt: this.expiresAt(options.expiresInSeconds) };
  }

  async inspect(key: string): Promise<StoredObject | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: head.ContentLength ?? 0, etag: head.ETag ?? '' };
    } catch (error) {
      if (status(error) === 404) return undefined;
      throw error;
    }
  }

  async readStart(key: string, version: StoredObject, length: number): Promise<Uint8Array> {
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=0-${length - 1}`, IfMatch: version.etag || undefined }),
      );
      if (!object.Body) return new Uint8Array();
      return await object.Body.transformToByteArray();
    } catch (error) {
      // 412: replaced since inspect(); 404: removed since inspect().
      if (status(error) === 412 || status(error) === 404) throw new UploadChanged();
      throw error;
    }
  }

  async copy(fromKey: string, version: StoredObject, toKey: string, contentType: ImageType): Promise<{ etag: string }> {
    try {
      const copied = await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: toKey,
          CopySource: `${this.bucket}/${encodeURIComponent(fromKey).replace(/%2F/g, '/')}`,
          CopySourceIfMatch: version.etag || undefined,
          MetadataDirective: 'REPLACE',
          ContentType: contentType,
        }),
      );
      // Same bytes, SSE-S3: the copy's ETag is the body's MD5, and replication keeps it.
      return { etag: copied.CopyObjectResult?.ETag ?? version.etag };
    } catch (error) {
      if (status(error) === 412 || status(error) === 404) throw new UploadChanged();
      throw error;
    }
  }

  async remove(keys: string[]): Promise<void> {
    // Single deletes: each needs only s3:DeleteObject, and there are at most two keys per photo.
    await Promise.all(keys.map((key) => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }))));
  }
}
