import { plainToInstance, Transform, TransformFnParams } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  MinLength,
  Min,
  validateSync,
  ValidationError,
} from 'class-validator';
import { resolve } from 'node:path';
import { DemoCoreConfig, LOG_LEVELS, LogLevel } from './demo-core.config';

// The only file of demo-core that reads process.env (STYLE: Config).

const GIB = 1024 ** 3;
// Outside production a fixed secret keeps `npm run` and the demo working without setup.
const LOCAL_DEVELOPMENT_SECRET = 'demo-core-local-secret';
const SENSITIVE_KEYS = new Set<string>();
const FAULT_SWITCH = ['enabled', 'disabled'] as const;

/** Marks an env variable whose value must never appear in logs or error messages. */
function Sensitive(): PropertyDecorator {
  return (_target, key) => {
    SENSITIVE_KEYS.add(String(key));
  };
}

// Strict digits only: Number('') is 0 and Number('1e3') is 1000, neither of which an operator meant.
const toInteger = ({ value }: TransformFnParams): unknown =>
  typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;

// Decorators run bottom-up and class-validator checks constraints in that order; with
// stopAtFirstError the type check nearest the property is the one reported for a bad value.
export class DemoCoreEnv {
  @Max(65535)
  @Min(0)
  @IsInt()
  @Transform(toInteger)
  DEMO_CORE_PORT: number = 3100;

  @IsNotEmpty()
  @IsString()
  DEMO_CORE_HOST: string = '127.0.0.1';

  /** Relative paths resolve against the working directory (the repo root for npm scripts). */
  @IsNotEmpty()
  @IsString()
  DEMO_CORE_DATA_DIR: string = '.local/demo-core';

  @Sensitive()
  @MinLength(16)
  @IsString({ message: 'DEMO_CORE_API_SECRET is required when NODE_ENV=production' })
  DEMO_CORE_API_SECRET: string;

  /** The secret being rotated out: accepted as well until the gateway signs with the new one. */
  @Sensitive()
  @MinLength(16)
  @IsString()
  @IsOptional()
  DEMO_CORE_API_SECRET_PREVIOUS?: string;

  /** Where browsers reach demo-core's pages; the links in file metadata point there. */
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  @IsOptional()
  DEMO_CORE_PUBLIC_URL?: string;

  /** `enabled` turns on the /_control test switches; the demo and the tests do, nothing else should. */
  @IsIn(FAULT_SWITCH)
  DEMO_CORE_FAULTS: (typeof FAULT_SWITCH)[number] = 'disabled';

  /** Default 5 GiB: the largest file the demo should accept; uploads are streamed, never buffered. */
  @Max(Number.MAX_SAFE_INTEGER)
  @Min(1)
  @IsInt()
  @Transform(toInteger)
  DEMO_CORE_MAX_UPLOAD_BYTES: number = 5 * GIB;

  /** The gateway's base URL the "Open in …" entries create sessions at; with the key below. */
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  @IsOptional()
  DEMO_CORE_GATEWAY_URL?: string;

  /** The tenant's session API key (Bearer) for POST /api/v1/sessions. */
  @Sensitive()
  @IsNotEmpty()
  @IsString()
  @IsOptional()
  DEMO_CORE_GATEWAY_SESSION_API_KEY?: string;

  @IsIn(LOG_LEVELS)
  DEMO_CORE_LOG_LEVEL: LogLevel = 'info';
}

// Listed with `satisfies` so adding a field to DemoCoreEnv without reading it fails to compile.
const ENV_KEYS = Object.keys({
  DEMO_CORE_PORT: true,
  DEMO_CORE_HOST: true,
  DEMO_CORE_DATA_DIR: true,
  DEMO_CORE_API_SECRET: true,
  DEMO_CORE_API_SECRET_PREVIOUS: true,
  DEMO_CORE_PUBLIC_URL: true,
  DEMO_CORE_FAULTS: true,
  DEMO_CORE_MAX_UPLOAD_BYTES: true,
  DEMO_CORE_GATEWAY_URL: true,
  DEMO_CORE_GATEWAY_SESSION_API_KEY: true,
  DEMO_CORE_LOG_LEVEL: true,
} satisfies Record<keyof DemoCoreEnv, true>);

export class DemoCoreEnvError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid demo-core environment:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'DemoCoreEnvError';
  }
}

export interface LoadedDemoCoreConfig {
  readonly config: DemoCoreConfig;
  /** The validated variables with sensitive values masked, for the start-up log. */
  readonly loggable: Readonly<Record<string, unknown>>;
}

/** Validates the environment once; throws a DemoCoreEnvError naming every bad variable. */
export function loadDemoCoreConfig(source: NodeJS.ProcessEnv = process.env): LoadedDemoCoreConfig {
  const plain: Record<string, string> = {};
  for (const key of ENV_KEYS) {
    const value = source[key];
    // An empty variable (FOO=) means "not set", as in most shells' and compose files' intent.
    if (value !== undefined && value !== '') plain[key] = value;
  }
  if (plain.DEMO_CORE_API_SECRET === undefined && source.NODE_ENV !== 'production') {
    plain.DEMO_CORE_API_SECRET = LOCAL_DEVELOPMENT_SECRET;
  }

  const env = plainToInstance(DemoCoreEnv, plain, { exposeDefaultValues: true });
  const errors = validateSync(env, { stopAtFirstError: true });
  const problems = errors.map((error) => describe(error, plain));
  // Half a gateway configuration would leave the pages' open entries failing at every click.
  if ((plain.DEMO_CORE_GATEWAY_URL === undefined) !== (plain.DEMO_CORE_GATEWAY_SESSION_API_KEY === undefined)) {
    problems.push('DEMO_CORE_GATEWAY_URL and DEMO_CORE_GATEWAY_SESSION_API_KEY must be set together');
  }
  if (problems.length > 0) throw new DemoCoreEnvError(problems);

  return {
    config: {
      host: env.DEMO_CORE_HOST,
      port: env.DEMO_CORE_PORT,
      dataDir: resolve(env.DEMO_CORE_DATA_DIR),
      apiSecret: env.DEMO_CORE_API_SECRET,
      ...(env.DEMO_CORE_API_SECRET_PREVIOUS === undefined
        ? {}
        : { previousApiSecret: env.DEMO_CORE_API_SECRET_PREVIOUS }),
      // Links are built by appending paths, so a trailing slash would double up.
      ...(env.DEMO_CORE_PUBLIC_URL === undefined ? {} : { publicUrl: env.DEMO_CORE_PUBLIC_URL.replace(/\/+$/, '') }),
      faultsEnabled: env.DEMO_CORE_FAULTS === 'enabled',
      maxUploadBytes: env.DEMO_CORE_MAX_UPLOAD_BYTES,
      ...(env.DEMO_CORE_GATEWAY_URL === undefined || env.DEMO_CORE_GATEWAY_SESSION_API_KEY === undefined
        ? {}
        : {
            gateway: {
              url: env.DEMO_CORE_GATEWAY_URL.replace(/\/+$/, ''),
              sessionApiKey: env.DEMO_CORE_GATEWAY_SESSION_API_KEY,
            },
          }),
      logLevel: env.DEMO_CORE_LOG_LEVEL,
    },
    loggable: Object.fromEntries(
      ENV_KEYS.map((key) => [key, SENSITIVE_KEYS.has(key) ? '[redacted]' : env[key as keyof DemoCoreEnv]]),
    ),
  };
}

function describe(error: ValidationError, plain: Record<string, string>): string {
  const message = Object.values(error.constraints ?? {}).join('; ');
  const raw = plain[error.property];
  const shown = raw === undefined ? 'not set' : SENSITIVE_KEYS.has(error.property) ? 'value hidden' : `got "${raw}"`;
  return `${message} (${shown})`;
}
