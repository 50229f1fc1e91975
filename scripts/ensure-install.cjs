#!/usr/bin/env node
'use strict';
// Installs the dependencies when node_modules is missing or was installed from another
// package-lock.json, so that `npm run demo` and `npm test` work on a fresh clone as they are.
// Plain Node only: it runs before anything is installed.
const { createHash } = require('node:crypto');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const stampFile = path.join(root, 'node_modules', '.wopi-install-stamp');

function expectedStamp() {
  const lock = fs.readFileSync(path.join(root, 'package-lock.json'));
  return createHash('sha256').update(lock).update(process.version).digest('hex');
}

function ensureInstall() {
  const expected = expectedStamp();
  const current = fs.existsSync(stampFile) ? fs.readFileSync(stampFile, 'utf8').trim() : '';
  if (current === expected) return;
  process.stderr.write('dependencies: installing from package-lock.json (npm ci)\n');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
    env: withoutNpmRunEnv(process.env),
  });
  fs.writeFileSync(stampFile, `${expected}\n`);
}

/**
 * The environment without the npm_* variables an outer `npm run`/`npx` exports: a nested npm
 * reads them as its own settings, and some (allow-scripts) make `npm ci` fail with EUSAGE.
 */
function withoutNpmRunEnv(env) {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
}

module.exports = { ensureInstall, withoutNpmRunEnv };

if (require.main === module) ensureInstall();
