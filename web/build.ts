// Builds the web app into static files: index.html, styles.css, favicon.svg and app.js (one bundle, no
// runtime dependencies). `npm start` serves them with a config.json naming both regions; on AWS
// `npm run deploy:web` uploads them to the site bucket behind CloudFront with a config.json built
// from the deployed stacks (scripts/web-deploy.ts, README "The web app on AWS").
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

export const WEB_DIR = path.resolve(__dirname);
export const WEB_DIST = path.join(WEB_DIR, 'dist');

export async function buildWeb(outDir: string = WEB_DIST): Promise<string> {
  fs.mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [path.join(WEB_DIR, 'src', 'main.ts')],
    outfile: path.join(outDir, 'app.js'),
    bundle: true,
    format: 'iife',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    minify: true,
    sourcemap: true,
    logLevel: 'error',
  });
  for (const file of ['index.html', 'styles.css', 'favicon.svg']) fs.copyFileSync(path.join(WEB_DIR, file), path.join(outDir, file));
  return outDir;
}

if (require.main === module) {
  buildWeb(process.argv[2] ? path.resolve(process.argv[2]) : WEB_DIST)
    .then((dir) => console.log(`web app built into ${path.relative(process.cwd(), dir) || '.'}/`))
    .catch((error: Error) => {
      console.error(`web build failed: ${error.message}`);
      process.exit(1);
    });
}
