import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createWorkDir, removeStaleWorkDirs, STALE_WORK_DIR_AGE_MS, WORK_DIR_PREFIX } from './work-dir';

describe('conversion working folders', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'work-dirs-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('are private to the worker user', async () => {
    const dir = await createWorkDir(path.join(root, 'created-on-demand'));
    expect(path.basename(dir).startsWith(WORK_DIR_PREFIX)).toBe(true);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('left behind by a crash are swept once stale; fresh ones and other files stay', async () => {
    const stale = await createWorkDir(root);
    await mkdir(path.join(stale, 'profile'));
    await writeFile(path.join(stale, 'document.doc'), 'a confidential document');
    const fresh = await createWorkDir(root);
    const unrelated = path.join(root, 'someone-elses-file');
    await writeFile(unrelated, 'x');
    const old = new Date(Date.now() - STALE_WORK_DIR_AGE_MS - 60_000);
    await utimes(stale, old, old);
    await utimes(unrelated, old, old);

    expect(await removeStaleWorkDirs(root)).toBe(1);
    expect((await readdir(root)).sort()).toEqual([path.basename(fresh), 'someone-elses-file'].sort());
  });

  it('a missing temp folder has nothing to sweep', async () => {
    expect(await removeStaleWorkDirs(path.join(root, 'not-there'))).toBe(0);
  });
});
