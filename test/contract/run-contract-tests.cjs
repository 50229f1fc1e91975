#!/usr/bin/env node
'use strict';
/**
 * Checks a core app against the core-app contract v1 (docs/core-app-integration.md).
 *
 *   node test/contract/run-contract-tests.cjs --url <base URL> --secret <secret> \
 *     --user-editor <id> --user-viewer <id> --user-none <id> --file <ref of a writable test file>
 *
 * The secret may come from CORE_APP_CONTRACT_SECRET instead of --secret (keeps it out of the
 * process list and shell history). Prints one line per check and a final "N passed, N failed";
 * exits 0 when every check passed, 1 when one failed, 2 on bad arguments. Needs Node >= 20 and
 * nothing else: the folder can be copied out of this repository as it is.
 */
const { parseArgs } = require('node:util');
const { CheckFailure, checks, newContext } = require('./contract-checks.cjs');

const USAGE = `usage: node run-contract-tests.cjs --url <base URL, e.g. https://app.example.com/wopi-contract/v1>
         --secret <shared secret> (or CORE_APP_CONTRACT_SECRET)
         --user-editor <id> --user-viewer <id> --user-none <id>
         --file <ref of a test file the editor may write; it is restored afterwards>
         [--timeout-ms <per request, default 30000>] [--only <text in the names of the checks to run>]`;

function fail(message) {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function parseOptions(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        url: { type: 'string' },
        secret: { type: 'string' },
        'user-editor': { type: 'string' },
        'user-viewer': { type: 'string' },
        'user-none': { type: 'string' },
        file: { type: 'string' },
        'timeout-ms': { type: 'string' },
        only: { type: 'string' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    fail(error.message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const secret = values.secret ?? process.env.CORE_APP_CONTRACT_SECRET;
  const missing = ['url', 'user-editor', 'user-viewer', 'user-none', 'file'].filter((key) => !values[key]);
  if (!secret) missing.push('secret');
  if (missing.length > 0) fail(`missing: ${missing.map((key) => `--${key}`).join(', ')}`);
  try {
    new URL(values.url);
  } catch {
    fail(`--url is not a URL: ${values.url}`);
  }
  const timeoutMs = values['timeout-ms'] === undefined ? undefined : Number(values['timeout-ms']);
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0))
    fail('--timeout-ms must be a positive integer');
  return {
    baseUrl: values.url,
    secret,
    users: { editor: values['user-editor'], viewer: values['user-viewer'], none: values['user-none'] },
    file: values.file,
    timeoutMs,
    only: values.only,
  };
}

/** Runs the checks in order; returns { passed, failed }. Setup and cleanup always run. */
async function runContractTests(options, write = (line) => process.stdout.write(`${line}\n`)) {
  const ctx = newContext(options);
  const selected = checks.filter(
    (check, index) => index === 0 || check.cleanup || !options.only || check.name.includes(options.only),
  );
  let passed = 0;
  let failed = 0;
  for (const check of selected) {
    const started = Date.now();
    try {
      const note = await check.run(ctx);
      passed += 1;
      write(`ok   ${check.name}${note ? ` (${note})` : ''} [${Date.now() - started} ms]`);
    } catch (error) {
      failed += 1;
      const reason = error instanceof CheckFailure ? error.message : `unexpected error: ${describeError(error)}`;
      write(`FAIL ${check.name}: ${reason}`);
    }
  }
  write(`${passed} passed, ${failed} failed`);
  return { passed, failed };
}

function describeError(error) {
  const cause = error?.cause ? ` (${error.cause.code ?? error.cause.message ?? error.cause})` : '';
  return `${error?.name === 'TimeoutError' ? 'request timed out' : (error?.message ?? String(error))}${cause}`;
}

if (require.main === module) {
  runContractTests(parseOptions(process.argv.slice(2))).then(
    ({ failed }) => process.exit(failed === 0 ? 0 : 1),
    (error) => {
      process.stderr.write(`contract tests crashed: ${error?.stack ?? error}\n`);
      process.exit(1);
    },
  );
}

module.exports = { runContractTests };
