import { spawnSync } from 'node:child_process';

const APT_TIMEOUT_MS = 15 * 60 * 1000;
const LOCK_RETRY_MS = 2_000;

/**
 * Installs Debian packages for the tests that need a tool a fresh (CI) machine lacks, as root or
 * through `sudo -n`; throws with apt's output when that is not possible, so the test fails saying
 * why instead of skipping. Jest runs test files side by side, so two of them may install at once:
 * `DPkg::Lock::Timeout` makes `apt-get install` wait for dpkg's lock, but `apt-get update` fails
 * at once when the package lists' lock is held (apt 2.6), so that step is retried until it is free.
 */
export function aptInstall(packages: string[], log: (line: string) => void): void {
  const isRoot = process.getuid?.() === 0;
  if (!isRoot && spawnSync('sudo', ['-n', 'true']).status !== 0) {
    throw new Error(
      `${packages.join(' ')} missing and this user can neither install packages nor use sudo -n: ` +
        `run \`apt-get install --no-install-recommends ${packages.join(' ')}\` as root`,
    );
  }
  const asRoot = (command: string[]): string[] => (isRoot ? command : ['sudo', '-n', ...command]);
  const lockWait = ['-o', `DPkg::Lock::Timeout=${APT_TIMEOUT_MS / 1000}`];
  log(`installing Debian's ${packages.join(' ')}`);
  for (const command of [
    ['apt-get', ...lockWait, 'update'],
    ['apt-get', ...lockWait, 'install', '-y', '--no-install-recommends', ...packages],
  ]) {
    const [program, ...args] = asRoot(command);
    const deadline = Date.now() + APT_TIMEOUT_MS;
    for (;;) {
      const result = spawnSync(program, args, {
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
        encoding: 'utf8',
        timeout: APT_TIMEOUT_MS,
      });
      if (result.status === 0) break;
      const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
      if (/Could not get lock/.test(output) && Date.now() < deadline) {
        sleepSync(LOCK_RETRY_MS);
        continue;
      }
      throw new Error(
        `\`${[program, ...args].join(' ')}\` failed (${result.error?.message ?? `exit ${result.status}`}):\n` +
          output.slice(-4000),
      );
    }
  }
}

/** The callers are synchronous (a tool's path is needed before anything starts). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
