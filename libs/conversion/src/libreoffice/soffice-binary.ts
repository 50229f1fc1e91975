import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';

// Where Debian's libreoffice-*-nogui packages (and LibreOffice's own .deb/.rpm builds, which
// install under /opt) put the launcher. Other installations set SOFFICE_PATH.
const CANDIDATES = [
  '/usr/local/bin/soffice',
  '/usr/bin/soffice',
  '/usr/bin/libreoffice',
  '/usr/lib/libreoffice/program/soffice',
  '/opt/libreoffice/program/soffice',
];

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The soffice launcher: `configured` when given (it must be an absolute path to an executable),
 * otherwise the first of the usual install locations that exists; undefined when none does.
 */
export async function findSoffice(configured: string | undefined): Promise<string | undefined> {
  if (configured) return path.isAbsolute(configured) && (await isExecutableFile(configured)) ? configured : undefined;
  for (const candidate of CANDIDATES) {
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}
