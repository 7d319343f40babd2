import { loadEnv } from '../../shared/env';
import * as z from '../../shared/zod';

export interface PhotoLimits {
  /** infra/stages/<stage>.yml photos.maxBytes (10 MB by default), through PHOTOS_MAX_BYTES. */
  maxBytes: number;
  /** How long the presigned upload URL works: after it, the bytes can no longer arrive. */
  uploadUrlSeconds: number;
  downloadUrlSeconds: number;
}

const UPLOAD_URL_SECONDS = 900;
const DOWNLOAD_URL_SECONDS = 300;

const schema = z.object({
  PHOTOS_MAX_BYTES: z.pipe(
    z.pipe(
      z.string().check(z.regex(/^[0-9]{1,12}$/, 'must be a whole number of bytes')),
      z.transform((raw: string) => Number(raw)),
    ),
    z.int().check(z.gte(1)),
  ),
});

export function loadPhotoLimits(env: Record<string, string | undefined> = process.env): PhotoLimits {
  const { PHOTOS_MAX_BYTES } = loadEnv(schema, env);
  return { maxBytes: PHOTOS_MAX_BYTES, uploadUrlSeconds: UPLOAD_URL_SECONDS, downloadUrlSeconds: DOWNLOAD_URL_SECONDS };
}

export const downloadLimits: Pick<PhotoLimits, 'downloadUrlSeconds'> = { downloadUrlSeconds: DOWNLOAD_URL_SECONDS };
