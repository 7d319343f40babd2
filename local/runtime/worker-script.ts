// One worker thread's script, bundled from TypeScript to CommonJS (npm packages stay external and
// load from node_modules) and reused through the bundle cache while none of its inputs changed.
// The S3 stand-in (local/s3-local.ts) and the drills' load (local/drills/load-thread.ts) start theirs so.
import path from 'node:path';

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
