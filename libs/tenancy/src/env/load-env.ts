import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { requiredSecretsOf } from './required-secret.decorator';
import { sensitiveKeysOf } from './sensitive.decorator';

/** How an operator makes a secret; the same command serves every secret the processes take. */
export const GENERATE_SECRET_COMMAND = `node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`;

/** Thrown when the environment is invalid; the message lists every bad variable. */
export class EnvValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  - ${problems.join('\n  - ')}`,
    );
    this.name = 'EnvValidationError';
  }
}

/**
 * Parses and validates one env class. This module is the only place that reads process.env:
 * everything else receives the parsed object.
 */
export function loadEnv<T extends object>(schema: new () => T, source: NodeJS.ProcessEnv = process.env): T {
  const known = Object.keys(new schema());
  const plain = Object.fromEntries(known.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]));
  const env = plainToInstance(schema, plain, { exposeDefaultValues: true });
  // One message per variable: the first rule it breaks.
  const missingSecrets = requiredSecretsOf(env).filter((key) => source[key] === undefined || source[key] === '');
  const errors = validateSync(env, { forbidUnknownValues: true, stopAtFirstError: true }).filter(
    (error) => !missingSecrets.includes(error.property),
  );
  if (errors.length > 0 || missingSecrets.length > 0) {
    const sensitive = sensitiveKeysOf(env);
    throw new EnvValidationError([
      ...(missingSecrets.length > 0 ? [describeMissingSecrets(missingSecrets)] : []),
      ...errors.flatMap((e) => describe(e, source, sensitive)),
    ]);
  }
  return env;
}

// One line for every unset secret, whatever NODE_ENV says: there are no public defaults to fall back on.
function describeMissingSecrets(keys: string[]): string {
  return (
    `${keys.join(', ')} ${keys.length === 1 ? 'is' : 'are'} not set: secrets have no default. ` +
    `Generate each with ${GENERATE_SECRET_COMMAND} (npm run demo and the tests generate their own)`
  );
}

function describe(error: ValidationError, source: NodeJS.ProcessEnv, sensitive: Set<string>): string[] {
  const given = source[error.property];
  const shown = given === undefined ? '(unset)' : sensitive.has(error.property) ? '***' : JSON.stringify(given);
  return Object.values(error.constraints ?? {}).map((message) => `${error.property}=${shown}: ${message}`);
}

/** The parsed config as a plain record, secrets masked: safe to log at start-up. */
export function describeEnv(env: object): Record<string, unknown> {
  const sensitive = sensitiveKeysOf(env);
  return Object.fromEntries(
    Object.entries(env).map(([key, value]) => [key, sensitive.has(key) && value !== undefined ? '***' : value]),
  );
}

/**
 * The end of a process that failed to start: a configuration error prints its list of bad
 * variables (no stack trace to wade through), anything else its stack. Exits 1.
 */
export function exitOnStartupFailure(error: unknown): never {
  const message =
    error instanceof EnvValidationError
      ? error.message
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  process.stderr.write(`${message}\n`);
  process.exit(1);
}
