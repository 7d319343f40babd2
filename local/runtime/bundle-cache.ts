// Reuses the functions' bundles between runtime starts while no file that went into them changed.
// Every drill and end-to-end test starts a fresh runtime, and bundling all handlers costs about
// 1.2 s of a 2-core machine each time (README, performance). A bundle is a folder named by the
// handlers and by the size and mtime of every input esbuild read (its metafile); a pointer file per
// set of handlers names the latest. A folder is never changed once written, so a runtime still
// using an older one is not disturbed by a rebuild.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface CachedBuild {
  dir: string;
  /** true when the folder was built by this call. */
  built: boolean;
}

interface Pointer {
  dir: string;
  /** Input path (relative to the project root) → "size:mtimeMs" when the bundle was made. */
  inputs: Record<string, string>;
}

const stamp = (file: string): string | null => {
  try {
    const stat = fs.statSync(file);
    return `${stat.size}:${stat.mtimeMs}`;
  } catch {
    return null;
  }
};

const sha = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** The pointer's folder when every input it lists is as it was; null otherwise. */
function current(root: string, pointerFile: string, projectRoot: string): string | null {
  let pointer: Pointer;
  try {
    pointer = JSON.parse(fs.readFileSync(pointerFile, 'utf8')) as Pointer;
  } catch {
    return null;
  }
  const dir = path.join(root, pointer.dir);
  if (!fs.existsSync(dir)) return null;
  for (const [input, was] of Object.entries(pointer.inputs)) {
    if (stamp(path.resolve(projectRoot, input)) !== was) return null;
  }
  return dir;
}

/**
 * `build(outDir)` writes the bundle into outDir and returns the inputs it read (paths relative to
 * projectRoot, as esbuild's metafile gives them). `key` names what is built (the handlers and the
 * build's options).
 */
export async function cachedBuild(options: {
  root: string;
  projectRoot: string;
  key: string;
  build(outDir: string): Promise<string[]>;
}): Promise<CachedBuild> {
  const { root, projectRoot } = options;
  fs.mkdirSync(root, { recursive: true });
  const id = sha(options.key);
  const pointerFile = path.join(root, `${id}.json`);
  const found = current(root, pointerFile, projectRoot);
  if (found) return { dir: found, built: false };

  const scratch = path.join(root, `${id}.building-${process.pid}-${randomUUID().slice(0, 8)}`);
  let inputs: string[];
  try {
    inputs = await options.build(scratch);
  } catch (error) {
    fs.rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
  const stamps: Record<string, string> = {};
  for (const input of inputs) {
    const s = stamp(path.resolve(projectRoot, input));
    if (s !== null) stamps[input] = s;
  }
  const name = `${id}-${sha(JSON.stringify(stamps))}`;
  const dir = path.join(root, name);
  try {
    fs.renameSync(scratch, dir);
  } catch {
    // Another runtime made the same bundle meanwhile: use that one.
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const pointer: Pointer = { dir: name, inputs: stamps };
  const tmpPointer = `${pointerFile}.${process.pid}`;
  fs.writeFileSync(tmpPointer, JSON.stringify(pointer));
  fs.renameSync(tmpPointer, pointerFile);
  prune(root, id, name);
  return { dir, built: true };
}

/**
 * Folders of this key other than the current one (and scratch folders a crashed build left),
 * once older than an hour: a runtime loads every bundle when it starts (lambda-pool.ts warms
 * them all), so none still reads from them.
 */
function prune(root: string, id: string, keep: string): void {
  const hourAgo = Date.now() - 3_600_000;
  for (const entry of fs.readdirSync(root)) {
    if (!entry.startsWith(id) || entry === keep || entry.endsWith('.json') || entry.includes('.json.')) continue;
    const full = path.join(root, entry);
    try {
      if (fs.statSync(full).mtimeMs < hourAgo) fs.rmSync(full, { recursive: true, force: true });
    } catch {
      // Removed by another runtime meanwhile.
    }
  }
}
