import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { sensitiveKeysOf } from './sensitive.decorator';

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
  const errors = validateSync(env, { forbidUnknownValues: true, stopAtFirstError: true });
  if (errors.length > 0) {
    const sensitive = sensitiveKeysOf(env);
    throw new EnvValidationError(errors.flatMap((e) => describe(e, source, sensitive)));
  }
  return env;
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
