import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cachedBuild } from '../../../local/runtime/bundle-cache';

describe('the bundle cache', () => {
  let project: string;
  let root: string;
  let builds: number;
  const source = () => path.join(project, 'handler.ts');
  const build = async (outDir: string) => {
    builds += 1;
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(path.join(outDir, 'handler.mjs'), `// from ${fs.readFileSync(source(), 'utf8')}`);
    return ['handler.ts'];
  };
  const run = (key = 'handlers:a') => cachedBuild({ root, projectRoot: project, key, build });

  beforeEach(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-cache-'));
    root = path.join(project, 'cache');
    builds = 0;
    fs.writeFileSync(source(), 'one');
  });
  afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

  it('reuses the bundle while its inputs are unchanged', async () => {
    const first = await run();
    const second = await run();
    expect([first.built, second.built, builds]).toEqual([true, false, 1]);
    expect(second.dir).toBe(first.dir);
    expect(fs.readFileSync(path.join(second.dir, 'handler.mjs'), 'utf8')).toBe('// from one');
  });

  it('builds again into a new folder when an input changed, leaving the old one as it was', async () => {
    const first = await run();
    fs.writeFileSync(source(), 'two, longer');
    const second = await run();
    expect([second.built, builds]).toEqual([true, 2]);
    expect(second.dir).not.toBe(first.dir);
    expect(fs.readFileSync(path.join(second.dir, 'handler.mjs'), 'utf8')).toBe('// from two, longer');
    expect(fs.readFileSync(path.join(first.dir, 'handler.mjs'), 'utf8')).toBe('// from one');
  });

  it('builds again when an input is gone, and keeps other keys apart', async () => {
    await run();
    await run('handlers:b');
    expect(builds).toBe(2);
    fs.rmSync(source());
    fs.writeFileSync(source(), 'one');
    fs.utimesSync(source(), new Date(), new Date(Date.now() + 5000));
    expect((await run()).built).toBe(true);
  });

  it('leaves nothing behind when the build fails, and tries again next time', async () => {
    const failing = cachedBuild({
      root,
      projectRoot: project,
      key: 'handlers:a',
      build: async (outDir) => {
        fs.mkdirSync(outDir, { recursive: true });
        throw new Error('syntax error');
      },
    });
    await expect(failing).rejects.toThrow('syntax error');
    expect(fs.readdirSync(root)).toEqual([]);
    expect((await run()).built).toBe(true);
  });
});
