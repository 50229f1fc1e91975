import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/** Every throw-away folder of a conversion starts with this, so leftovers can be found and swept. */
export const WORK_DIR_PREFIX = 'wopi-convert-';

// 2 h: four times the longest conversion CONVERSION_TIMEOUT_MS allows (30 min), so a folder in
// use by a slow download and conversion on another worker sharing the directory is never swept.
export const STALE_WORK_DIR_AGE_MS = 2 * 60 * 60 * 1000;

/** A new, private (mode 0700) working folder under `tempDir`. */
export async function createWorkDir(tempDir: string): Promise<string> {
  await mkdir(tempDir, { recursive: true });
  return mkdtemp(path.join(tempDir, WORK_DIR_PREFIX));
}

/**
 * Removes working folders a crashed worker left behind (documents must not linger on disk), and
 * returns how many. Only folders untouched for `olderThanMs` are removed: others may be in use.
 */
export async function removeStaleWorkDirs(
  tempDir: string,
  olderThanMs = STALE_WORK_DIR_AGE_MS,
  nowMs = Date.now(),
): Promise<number> {
  const entries = await readdir(tempDir).catch(() => [] as string[]);
  let removed = 0;
  for (const entry of entries.filter((name) => name.startsWith(WORK_DIR_PREFIX))) {
    const folder = path.join(tempDir, entry);
    const modifiedMs = await stat(folder).then(
      (s) => s.mtimeMs,
      () => undefined,
    );
    if (modifiedMs === undefined || nowMs - modifiedMs < olderThanMs) continue;
    await rm(folder, { recursive: true, force: true });
    removed += 1;
  }
  return removed;
}
