// One worker thread's script, bundled from TypeScript to CommonJS (npm packages stay external and
// load from node_modules) and reused through the bundle cache while none of its inputs changed.
// The S3 stand-in (local/s3-local.ts) and the drills' load (local/drills/load-thread.ts) start theirs so.
import path from 'node:path';

/**
 * The Node flags of a worker that runs bundled code: none of the parent's. Under tsx (`npm start`,
 * the drills, the tests' runtimes) the parent's flags load tsx's loader, which a worker inherits by
 * default: it would hook every module the worker imports and turn source maps on, so Node parsed
 * each bundle's map as it loaded it (half of a function worker's start in a --cpu-prof). A Lambda
 * runs its bundle on plain Node as well. Started with NODE_OPTIONS=--enable-source-maps, the
 * runtime keeps maps on in its workers (stack traces in the function logs point at the sources).
 */
export const WORKER_EXEC_ARGV: string[] = (process.env.NODE_OPTIONS ?? '').split(/\s+/).includes('--enable-source-maps')
  ? ['--enable-source-maps']
  : [];

export async function cachedWorkerScript(entry: string, name: string): Promise<string> {
  const [{ build }, { BUILD_DIR }, { cachedBuild }, { PROJECT_ROOT }] = await Promise.all([
    import('esbuild'),
    import('./bundle'),
    import('./bundle-cache'),
    import('../service-definition'),
  ]);
  const file = `${name}.cjs`;
  const { dir } = await cachedBuild({
    root: path.join(BUILD_DIR, 'cache'),
    projectRoot: PROJECT_ROOT,
    key: JSON.stringify({ worker: name, format: 1 }),
    build: async (outDir) => {
      const result = await build({
        entryPoints: [entry],
        outfile: path.join(outDir, file),
        absWorkingDir: PROJECT_ROOT,
        bundle: true,
        packages: 'external',
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        metafile: true,
        logLevel: 'error',
      });
      return Object.keys(result.metafile.inputs);
    },
  });
  return path.join(dir, file);
}
