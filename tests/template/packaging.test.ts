// The packaged function artifacts themselves (issue 17, lean functions): only what each function
// uses, source maps beside the code and never loaded at init. Cold init is a time, measured by
// `npm run bench` against the same budget, not asserted here (it would flake on a busy machine).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FUNCTION_BUDGET } from '../../scripts/bench-functions';
import { packagedTemplate, resourcesOfType, stage } from '../support/templates';

const ROOT = path.resolve(__dirname, '..', '..');

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe.each([stage.primaryRegion, stage.secondaryRegion])('function packages of %s', (region) => {
  const template = packagedTemplate(region);
  const functions = resourcesOfType(template, 'AWS::Lambda::Function').map(([id, r]) => {
    const p = r.Properties as { Code: { S3Key: string }; Handler: string; Environment?: { Variables?: Record<string, unknown> } };
    return {
      id,
      zip: path.join(ROOT, `.serverless-${region}`, path.basename(p.Code.S3Key)),
      handler: p.Handler,
      env: p.Environment?.Variables ?? {},
    };
  });
  let scratch: string;

  beforeAll(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-packaging-'));
    for (const fn of functions) execFileSync('python3', ['-m', 'zipfile', '-e', fn.zip, path.join(scratch, fn.id)]);
  });
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('hold at most 1 MiB of code each', () => {
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) {
      const code = filesUnder(path.join(scratch, fn.id))
        .filter((f) => /\.[cm]?js$/.test(f))
        .reduce((sum, f) => sum + fs.statSync(f).size, 0);
      expect({ id: fn.id, within: code <= FUNCTION_BUDGET.codeBytes, code }).toEqual({ id: fn.id, within: true, code });
    }
  });

  it('keep source maps in a file of their own, without the sources, and never enable them at init', () => {
    for (const fn of functions) {
      const entry = path.join(scratch, fn.id, `${fn.handler.slice(0, fn.handler.lastIndexOf('.'))}.js`);
      const code = fs.readFileSync(entry, 'utf8');
      expect({ id: fn.id, inline: code.includes('sourceMappingURL=data:') }).toEqual({ id: fn.id, inline: false });
      const map = JSON.parse(fs.readFileSync(`${entry}.map`, 'utf8')) as { sourcesContent?: unknown[] };
      expect({ id: fn.id, sources: (map.sourcesContent ?? []).filter((s) => s !== null).length }).toEqual({ id: fn.id, sources: 0 });
      // Node reads a map at load only with --enable-source-maps: it costs every cold start.
      expect({ id: fn.id, nodeOptions: String(fn.env.NODE_OPTIONS ?? '') }).toEqual({
        id: fn.id,
        nodeOptions: expect.not.stringContaining('source-maps'),
      });
    }
  });

  it('bundle the ES module builds of the AWS SDK, which esbuild tree-shakes, not its CommonJS builds', () => {
    const fn = functions.find((f) => f.handler.startsWith('services/state-api/get-state-handler.'));
    if (!fn) throw new Error('getState is not packaged');
    const entry = path.join(scratch, fn.id, 'services/state-api/get-state-handler.js.map');
    const { sources } = JSON.parse(fs.readFileSync(entry, 'utf8')) as { sources: string[] };
    expect(sources.some((s) => s.includes('@aws-sdk/client-dynamodb/dist-es/'))).toBe(true);
    expect(sources.filter((s) => /@(aws-sdk|smithy)\/[^/]+\/dist-cjs\//.test(s))).toEqual([]);
  });
});
