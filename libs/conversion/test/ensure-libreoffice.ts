import { execFile } from 'node:child_process';
import { open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { findSoffice, LIBREOFFICE_DEBIAN_PACKAGES } from '@wopi/conversion';

// scripts/infra/debian.cjs installs Debian packages for the local Redis and PostgreSQL (as root,
// or through `sudo -n`, after `apt-get update`, non-interactively). It has no .d.cts; this is
// the part of its JSDoc contract used here.
interface DebianInstaller {
  findExecutable(name: string): string | undefined;
  installDebianPackages(packages: readonly string[], log: (line: string) => void): Promise<void>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const debian = require('../../../scripts/infra/debian.cjs') as DebianInstaller;

const run = promisify(execFile);
// Jest runs test files in parallel workers, and two apt-get runs at once fail on apt's lock.
const INSTALL_LOCK = path.join(tmpdir(), 'wopi-libreoffice-install.lock');
// 20 min: longer than apt-get update and install of LibreOffice take on a slow mirror.
const INSTALL_LOCK_STALE_MS = 20 * 60 * 1000;
const LOCK_POLL_MS = 1_000;

/** Budget for a beforeAll that may install LibreOffice on a fresh machine. */
export const ENSURE_LIBREOFFICE_TIMEOUT_MS = INSTALL_LOCK_STALE_MS + 60_000;

/** The -nogui packages that are not installed; off Debian, all of them unless soffice is found. */
async function missingPackages(): Promise<string[]> {
  if (debian.findExecutable('dpkg-query') === undefined) {
    return (await findSoffice(undefined)) ? [] : [...LIBREOFFICE_DEBIAN_PACKAGES];
  }
  const missing: string[] = [];
  for (const name of LIBREOFFICE_DEBIAN_PACKAGES) {
    const status = await run('dpkg-query', ['-W', '-f=${Status}', name]).then(
      ({ stdout }) => stdout,
      () => '',
    );
    if (!status.endsWith(' installed')) missing.push(name);
  }
  return missing;
}

async function withInstallLock<T>(work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      await (await open(INSTALL_LOCK, 'wx')).close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(INSTALL_LOCK).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      // A holder that died mid-install leaves the file; it is taken over once surely stale.
      if (age > INSTALL_LOCK_STALE_MS) await rm(INSTALL_LOCK, { force: true });
      else await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }
  try {
    return await work();
  } finally {
    await rm(INSTALL_LOCK, { force: true });
  }
}

/**
 * Makes sure Debian's headless LibreOffice (writer, calc, impress) is installed, installing the
 * missing packages with apt-get when needed (root or passwordless sudo). Tests call it first, so
 * they pass on a fresh machine; production images install the same packages at build time.
 */
export async function ensureLibreOffice(
  log: (line: string) => void = (line) => console.error(`[libreoffice] ${line}`),
): Promise<void> {
  if ((await missingPackages()).length === 0) return;
  await withInstallLock(async () => {
    // Another test worker may have installed them while this one waited for the lock.
    const missing = await missingPackages();
    if (missing.length > 0) await debian.installDebianPackages(missing, log);
  });
}
