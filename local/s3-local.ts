import fs from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';

/** s3rver checks SigV4 signatures against this fixed key pair. */
export const S3_LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** What serverless.yml's `CorsConfiguration.CorsRules` entries say, in CloudFormation's spelling. */
export interface S3CorsRule {
  AllowedMethods: string[];
  AllowedOrigins: string[];
  AllowedHeaders?: string[];
  ExposedHeaders?: string[];
  MaxAge?: number;
}

/** The browser PUTs to presigned URLs and reads photos back, from any local origin. */
export const PERMISSIVE_CORS: S3CorsRule[] = [
  { AllowedMethods: ['GET', 'PUT', 'HEAD'], AllowedOrigins: ['*'], AllowedHeaders: ['*'], ExposedHeaders: ['ETag'], MaxAge: 300 },
];

/** One stored object changed. Fired before the S3 response that caused it is sent. */
export interface S3ObjectEvent {
  bucket: string;
  key: string;
  kind: 'created' | 'removed';
  /** Epoch milliseconds at which s3rver stored the change. */
  at: number;
  /** Unquoted MD5 of the stored body, for creations. */
  eTag?: string;
  size?: number;
}

export type S3ObjectListener = (event: S3ObjectEvent) => void;

export interface S3Local {
  endpoint: string;
  port: number;
  buckets: string[];
  /** Where s3rver keeps the objects. */
  dataDir: string;
  /** Subscribes to every object creation and removal in any bucket; returns the unsubscribe function. */
  onObjectEvent(listener: S3ObjectListener): () => void;
  stop(): Promise<void>;
}

export interface StartS3LocalOptions {
  port?: number;
  /** Kept after stop() (the caller owns it). Default: a fresh temporary directory that stop() removes. */
  dataDir?: string;
  buckets: string[];
  /** Default PERMISSIVE_CORS. */
  cors?: S3CorsRule[];
}

// s3rver 3.7.1 ships no type declarations: this is the slice of its API used here
// (lib/s3rver.js, lib/stores/filesystem.js).
interface S3rverNotification {
  Records: Array<{
    eventName: string;
    eventTime: string;
    s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string } };
  }>;
}
interface S3rverStore {
  deleteObject(bucket: string, key: string): Promise<unknown>;
}
interface S3rverInstance {
  store: S3rverStore;
  httpServer?: Server;
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
  on(event: 'event', listener: (notification: S3rverNotification) => void): unknown;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;
// s3rver is CommonJS without types; the interfaces above type the part used here.
const S3rver = require('s3rver') as S3rverConstructor;

function escapeXml(value: string): string {
  return value.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function corsXml(rules: S3CorsRule[]): string {
  const rule = (r: S3CorsRule): string =>
    [
      ...r.AllowedOrigins.map((o) => `<AllowedOrigin>${escapeXml(o)}</AllowedOrigin>`),
      ...r.AllowedMethods.map((m) => `<AllowedMethod>${escapeXml(m)}</AllowedMethod>`),
      ...(r.AllowedHeaders ?? []).map((h) => `<AllowedHeader>${escapeXml(h)}</AllowedHeader>`),
      ...(r.ExposedHeaders ?? []).map((h) => `<ExposeHeader>${escapeXml(h)}</ExposeHeader>`),
      ...(r.MaxAge === undefined ? [] : [`<MaxAgeSeconds>${r.MaxAge}</MaxAgeSeconds>`]),
    ].join('');
  return `<CORSConfiguration>${rules.map((r) => `<CORSRule>${rule(r)}</CORSRule>`).join('')}</CORSConfiguration>`;
}

/**
 * Starts s3rver (a filesystem-backed S3 stand-in) on 127.0.0.1 with the given buckets,
 * each with CORS so a browser can PUT to presigned URLs. Clients need
 * `forcePathStyle: true` and S3_LOCAL_CREDENTIALS (see localS3Client).
 */
export async function startS3Local(options: StartS3LocalOptions): Promise<S3Local> {
  const ownsDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-s3-'));
  fs.mkdirSync(dataDir, { recursive: true });
  const cors = corsXml(options.cors ?? PERMISSIVE_CORS);
  const server = new S3rver({
    address: '127.0.0.1',
    // Port 0 lets the OS pick, with no window in which another process can take the port.
    port: options.port ?? 0,
    silent: true,
    directory: dataDir,
    vhostBuckets: false,
    configureBuckets: options.buckets.map((name) => ({ name, configs: [cors] })),
  });

  const listeners = new Set<S3ObjectListener>();
  const emit = (event: S3ObjectEvent): void => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // A failing subscriber must not turn a successful S3 request into an error.
      }
    }
  };
  // Creations come from s3rver's documented 'event' notifications (Put, Post, Copy,
  // CompleteMultipartUpload). Removals are taken from the store instead, because s3rver
  // raises no notification for the multi-object DeleteObjects call; its single-delete
  // notification is ignored so that each removal is reported exactly once.
  server.on('event', (notification) => {
    for (const record of notification.Records) {
      if (!record.eventName.startsWith('ObjectCreated:')) continue;
      const parsed = Date.parse(record.eventTime);
      emit({
        bucket: record.s3.bucket.name,
        key: record.s3.object.key,
        kind: 'created',
        at: Number.isNaN(parsed) ? Date.now() : parsed,
        ...(record.s3.object.eTag === undefined ? {} : { eTag: record.s3.object.eTag }),
        ...(record.s3.object.size === undefined ? {} : { size: Number(record.s3.object.size) }),
      });
    }
  });
  const deleteObject = server.store.deleteObject.bind(server.store);
  server.store.deleteObject = async (bucket, key) => {
    const result = await deleteObject(bucket, key);
    emit({ bucket, key, kind: 'removed', at: Date.now() });
    return result;
  };

  let address: { port: number };
  try {
    address = await server.run();
  } catch (error) {
    if (ownsDir) fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  let stopped = false;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    buckets: [...options.buckets],
    dataDir,
    onObjectEvent(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      listeners.clear();
      const closing = server.close();
      // SDK clients keep sockets alive; without this, close() waits for them to time out.
      server.httpServer?.closeAllConnections();
      await closing;
      if (ownsDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function localS3Client(endpoint: string, region = 'us-east-1'): S3Client {
  return new S3Client({ endpoint, region, forcePathStyle: true, credentials: S3_LOCAL_CREDENTIALS });
}
