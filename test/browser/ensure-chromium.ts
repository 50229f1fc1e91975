import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

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

const APT_TIMEOUT_MS = 15 * 60 * 1000;

/**
 * Installs Debian's `chromium` package when /usr/bin/chromium is missing (CI machines may not have
 * it), as root or through `sudo -n`; returns the executable's path. Throws with apt's output when
 * that is not possible, so the test fails saying why instead of skipping.
 */
export function ensureChromium(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): string {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot && spawnSync('sudo', ['-n', 'true']).status !== 0) {
    throw new Error(
      `${CHROMIUM_PATH} is missing and this user can neither install packages nor use sudo -n: ` +
        'run `apt-get install --no-install-recommends chromium` as root',
    );
  }
  const asRoot = (command: string[]): string[] => (isRoot ? command : ['sudo', '-n', ...command]);
  // Waits for a concurrent apt run instead of failing on its lock.
  const lockWait = ['-o', 'DPkg::Lock::Timeout=600'];
  log(`browser tests: ${CHROMIUM_PATH} is missing, installing Debian's chromium package`);
  for (const command of [
    ['apt-get', ...lockWait, 'update'],
    ['apt-get', ...lockWait, 'install', '-y', '--no-install-recommends', 'chromium'],
  ]) {
    const [program, ...args] = asRoot(command);
    const result = spawnSync(program, args, {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      encoding: 'utf8',
      timeout: APT_TIMEOUT_MS,
    });
    if (result.status !== 0) {
      throw new Error(
        `\`${[program, ...args].join(' ')}\` failed (${result.error?.message ?? `exit ${result.status}`}):\n` +
          `${result.stdout ?? ''}${result.stderr ?? ''}`.slice(-4000),
      );
    }
  }
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`the chromium package did not install ${CHROMIUM_PATH}`);
  return CHROMIUM_PATH;
}
