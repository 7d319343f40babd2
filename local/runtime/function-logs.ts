import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../service-definition';

/** The functions' log lines, one file per stage and region under .switchyard/logs. */
export function functionLogs(stage: string): { logStream(region: string): fs.WriteStream; close(): Promise<void> } {
  const logDir = path.join(PROJECT_ROOT, '.switchyard', 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const streams = new Map<string, fs.WriteStream>();
  return {
    logStream(region) {
      let stream = streams.get(region);
      if (!stream) {
        stream = fs.createWriteStream(path.join(logDir, `${stage}-${region}.log`), { flags: 'a' });
        streams.set(region, stream);
      }
      return stream;
    },
    async close() {
      for (const s of streams.values()) s.end();
    },
  };
}
