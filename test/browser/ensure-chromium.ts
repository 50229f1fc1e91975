import { existsSync } from 'node:fs';
import { aptInstall } from '../support/debian-packages';

/** Debian's Chromium: the only browser the tests use (playwright-core never downloads one). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a headless Chromium that stays off the network except for the pages the test opens. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Installs Debian's `chromium` package when /usr/bin/chromium is missing (CI machines may not have
 * it; test/support/debian-packages.ts); returns the executable's path.
 */
export function ensureChromium(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): string {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  log(`browser tests: ${CHROMIUM_PATH} is missing`);
  aptInstall(['chromium'], log);
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`the chromium package did not install ${CHROMIUM_PATH}`);
  return CHROMIUM_PATH;
}
