// @ts-check
'use strict';
/**
 * Finds server executables and, when they are missing, installs them from Debian's packages.
 */

const fs = require('node:fs');
const path = require('node:path');

const { runCommand } = require('./processes.cjs');
const { lastLines } = require('./servers.cjs');

// Where Debian puts daemons; /usr/sbin is often missing from a non-root user's PATH.
const SYSTEM_BIN_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

// 5 min: another apt run (unattended-upgrades, a parallel test run) may hold the dpkg lock a while.
const APT_LOCK_TIMEOUT_SECONDS = 300;

/**
 * The first executable file called `name` in `dirs`, then PATH, then the usual system directories.
 * @param {string} name
 * @param {readonly string[]} [dirs]
 * @returns {string | undefined}
 */
function findExecutable(name, dirs = []) {
  const pathDirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const dir of [...dirs, ...pathDirs, ...SYSTEM_BIN_DIRS]) {
    const candidate = path.join(dir, name);
    try {
      if (fs.statSync(candidate).isFile()) {
        fs.accessSync(candidate, fs.constants.X_OK);
        return candidate;
      }
    } catch {
      // Not here, or not executable by us: keep looking.
    }
  }
  return undefined;
}

/**
 * `apt-get install`s `packages`: directly as root, through passwordless sudo otherwise. Throws
 * with the command to run by hand when neither is possible or the install fails.
 * @param {readonly string[]} packages
 * @param {(line: string) => void} log
 * @returns {Promise<void>}
 */
async function installDebianPackages(packages, log) {
  const install = ['install', '-y', '--no-install-recommends', '-o', `DPkg::Lock::Timeout=${APT_LOCK_TIMEOUT_SECONDS}`];
  const byHand = `sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages.join(' ')}`;
  const aptGet = findExecutable('apt-get');
  if (aptGet === undefined) {
    throw new Error(
      `${packages.join(', ')} not installed and this is not a Debian system (no apt-get); install it yourself`,
    );
  }
  const prefix = await privilegePrefix();
  if (prefix === undefined) {
    throw new Error(`${packages.join(', ')} not installed, and installing needs root. Run:\n  ${byHand}`);
  }
  // Without it, a package that asks a debconf question would wait for an answer forever.
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // sudo resets the environment, so pass the variable through env(1) on its command line.
  const command = prefix.length === 0 ? [aptGet] : [...prefix, 'env', 'DEBIAN_FRONTEND=noninteractive', aptGet];
  log(`installing Debian package(s) ${packages.join(' ')} (${prefix.length === 0 ? 'as root' : 'sudo -n'})`);
  for (const args of [['update'], [...install, ...packages]]) {
    const result = await runCommand(command[0], [...command.slice(1), ...args], { env });
    if (result.code !== 0) {
      throw new Error(
        `apt-get ${args[0]} failed (exit ${result.code ?? result.signal}):\n${lastLines(result.output)}\nTry by hand:\n  ${byHand}`,
      );
    }
  }
}

/**
 * The command prefix that runs apt-get as root: none for root, `sudo -n` when sudo works without
 * a password, undefined when we cannot become root without asking.
 * @returns {Promise<string[] | undefined>}
 */
async function privilegePrefix() {
  if (process.getuid?.() === 0) return [];
  const sudo = findExecutable('sudo');
  if (sudo === undefined) return undefined;
  const probe = await runCommand(sudo, ['-n', 'true']).catch(() => undefined);
  return probe?.code === 0 ? [sudo, '-n'] : undefined;
}

module.exports = { findExecutable, installDebianPackages };
