import { Transform } from 'class-transformer';
import {
  ArrayNotEmpty,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { RequiredSecret } from './required-secret.decorator';
import { Sensitive } from './sensitive.decorator';

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];
export const BLOB_STAGING_DRIVERS = ['local', 's3'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const toList = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    : value;
const toBoolean = ({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value === '' ? undefined : value;
const emptyToUndefined = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/**
 * Variables every gateway process (api, worker) reads. Everything but the secrets has a local
 * default; secrets have none in any NODE_ENV (the demo and the tests generate their own).
 */
export class RuntimeEnv {
  @IsIn(NODE_ENVS)
  NODE_ENV: NodeEnv = 'development';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgresql:// URL' })
  DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/wopi_gateway';

  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Prefix of every BullMQ key, so several deployments (or test runs) can share one Redis. */
  @Matches(/^[a-z0-9:_-]{1,64}$/i, { message: 'QUEUE_PREFIX must be 1-64 characters of a-z, 0-9, ":", "_" or "-"' })
  QUEUE_PREFIX = 'wopi';

  /** 32 bytes, base64: encrypts tenant secrets at rest (AES-256-GCM). */
  @RequiredSecret()
  @Matches(/^[A-Za-z0-9+/]{43}=$/, {
    message: 'SECRETS_ENCRYPTION_KEY must be 32 bytes encoded as base64 (44 characters)',
  })
  SECRETS_ENCRYPTION_KEY: string;

  /**
   * Development switch: let core-app and discovery URLs reach loopback and private addresses. Off
   * in production (a tenant's URL must not reach the gateway's own network); link-local and cloud
   * metadata addresses stay refused even when on. The demo and the tests turn it on.
   */
  @Transform(({ value }: { value: unknown }) => (value === undefined ? undefined : value === 'true' || value === '1'))
  EGRESS_ALLOW_PRIVATE_NETWORKS = false;

  /**
   * OTLP endpoint of an OpenTelemetry collector; traces and metrics are exported only when it (or a
   * per-signal OTEL_EXPORTER_OTLP_*_ENDPOINT) is set. Validated here, read by the SDK from the env.
   */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  @Transform(emptyToUndefined)
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /**
   * Port of the Prometheus scrape endpoint (GET /metrics on a listener of its own); off when unset.
   * Every other telemetry setting is a standard OTEL_* variable (see libs/telemetry/README.md).
   */
  @IsOptional()
  @Transform(toInt)
  @Min(0)
  @Max(65_535)
  @IsInt({ message: 'METRICS_PORT must be an integer between 0 and 65535' })
  METRICS_PORT?: number;

  /** Address the Prometheus endpoint binds to: loopback unless a scraper elsewhere must reach it. */
  @IsString()
  @MinLength(1)
  METRICS_HOST = '127.0.0.1';

  /** Share of failed core-app calls (in a 10 s window) that opens a tenant's circuit breaker. */
  @Transform(toInt)
  @Min(1)
  @Max(100)
  @IsInt()
  CORE_APP_BREAKER_ERROR_PERCENT = 50;

  /** Calls in the window before a tenant's breaker may open at all. */
  @Transform(toInt)
  @Min(1)
  @IsInt()
  CORE_APP_BREAKER_MIN_CALLS = 5;

  /** How long an open breaker answers 503 at once before it lets a trial call through. */
  @Transform(toInt)
  @Min(100)
  @IsInt()
  CORE_APP_BREAKER_RESET_MS = 10_000;

  /** Attempts of an idempotent core-app call on timeouts, resets and 5xx (1 = no retry). */
  @Transform(toInt)
  @Min(1)
  @Max(10)
  @IsInt()
  CORE_APP_RETRY_ATTEMPTS = 3;

  /** Attempts of a write-back job before it waits for an operator (admin API: retry or discard). */
  @Transform(toInt)
  @Min(1)
  @Max(100)
  @IsInt()
  WRITE_BACK_ATTEMPTS = 12;

  /** First retry delay of a write-back; it doubles with every attempt (12 attempts: about 68 minutes in all). */
  @Transform(toInt)
  @Min(10)
  @IsInt()
  WRITE_BACK_BACKOFF_MS = 1_000;

  /** Where saved content waits until the core app confirmed it (a durable local folder). */
  @IsString()
  @MinLength(1)
  BLOB_STAGING_DIR = '.local/staging';

  /** Where staging lives: `local` (BLOB_STAGING_DIR, one node) or `s3` (an S3-compatible bucket shared by every node). */
  @IsIn(BLOB_STAGING_DRIVERS)
  BLOB_STAGING_DRIVER: (typeof BLOB_STAGING_DRIVERS)[number] = 'local';

  /** S3-compatible endpoint (MinIO, Ceph RGW, ...); unset means AWS S3 itself. */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  @Transform(emptyToUndefined)
  S3_ENDPOINT?: string;

  @IsString()
  @MinLength(1)
  S3_REGION = 'us-east-1';

  /** The staging bucket (created by the operator); required with BLOB_STAGING_DRIVER=s3. */
  @ValidateIf((env: RuntimeEnv) => env.BLOB_STAGING_DRIVER === 's3')
  @IsString({ message: 'S3_BUCKET is required when BLOB_STAGING_DRIVER=s3' })
  @MinLength(1, { message: 'S3_BUCKET is required when BLOB_STAGING_DRIVER=s3' })
  @Transform(emptyToUndefined)
  S3_BUCKET?: string;

  /** Key prefix of everything staging writes, so one bucket can hold several deployments. */
  @Matches(/^([A-Za-z0-9._-]+\/)*$/, { message: 'S3_PREFIX must be empty or path segments each ending in "/"' })
  S3_PREFIX = 'wopi-staging/';

  /** Static credentials; when both are unset the AWS SDK's default chain applies (instance/pod role, AWS_* variables). */
  @IsOptional()
  @IsString()
  @Transform(emptyToUndefined)
  S3_ACCESS_KEY_ID?: string;

  @Sensitive()
  @ValidateIf((env: RuntimeEnv) => env.S3_ACCESS_KEY_ID !== undefined)
  @IsString({ message: 'S3_SECRET_ACCESS_KEY is required with S3_ACCESS_KEY_ID' })
  @MinLength(1, { message: 'S3_SECRET_ACCESS_KEY is required with S3_ACCESS_KEY_ID' })
  @Transform(emptyToUndefined)
  S3_SECRET_ACCESS_KEY?: string;

  /** Path-style URLs (`endpoint/bucket/key`), which most self-hosted S3 servers need. */
  @Transform(toBoolean)
  @IsBoolean({ message: 'S3_FORCE_PATH_STYLE must be true or false' })
  S3_FORCE_PATH_STYLE = false;

  /** How long SIGTERM waits for in-flight requests and jobs before the process exits anyway. */
  @Transform(toInt)
  @Min(0)
  @Max(600_000)
  @IsInt()
  SHUTDOWN_GRACE_MS = 25_000;

  /**
   * How long a process reuses a tenant's settings read from PostgreSQL. Admin writes reach every
   * process at once through Redis pub/sub; while that is down, 2 s at most.
   */
  @Transform(toInt)
  @Min(0)
  @Max(600_000)
  @IsInt()
  TENANT_CACHE_TTL_MS = 30_000;
}

/** The api process: WOPI REST, host page, session API, health. */
export class ApiEnv extends RuntimeEnv {
  @Transform(toInt)
  @Min(0)
  @Max(65_535)
  @IsInt({ message: 'PORT must be an integer between 0 and 65535' })
  PORT = 3000;

  @IsString()
  @MinLength(1)
  HOST = '127.0.0.1';

  /** The URL WOPI clients and browsers reach this service at; WOPISrc and host-page URLs start with it. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.replace(/\/+$/, '') : value))
  PUBLIC_BASE_URL = 'http://127.0.0.1:3000';

  /** HMAC key that signs new access tokens (at least 32 characters). */
  @RequiredSecret()
  @IsString()
  @MinLength(32, { message: 'ACCESS_TOKEN_SIGNING_KEY must be at least 32 characters' })
  ACCESS_TOKEN_SIGNING_KEY: string;

  /**
   * Further keys that verify access tokens but sign none (comma-separated): the previous signing
   * key after a rotation, or the next one before it (docs/security.md "Rotating the signing key").
   */
  @Sensitive()
  @Transform(toList)
  @MinLength(32, { each: true, message: 'ACCESS_TOKEN_VERIFICATION_KEYS must each be at least 32 characters' })
  ACCESS_TOKEN_VERIFICATION_KEYS: string[] = [];

  /** Seconds a launch ticket (the one-time link to the host page) stays valid. */
  @Transform(toInt)
  @Min(10)
  @Max(3_600)
  @IsInt()
  LAUNCH_TICKET_TTL_SECONDS = 120;

  /**
   * How old a cached WOPI discovery document may get before it is fetched again (discovery.rst:
   * "12-24 hours is a good cadence"). The stale copy keeps serving while one instance refreshes it.
   */
  @Transform(toInt)
  @Min(60_000)
  @Max(7 * 24 * 60 * 60 * 1000)
  @IsInt()
  DISCOVERY_REFRESH_INTERVAL_MS = 12 * 60 * 60 * 1000;

  /**
   * Least time between two discovery fetches of one WOPI-client profile forced by proof-key
   * failures, across all instances: a flood of forged requests cannot turn into a flood of fetches.
   */
  @Transform(toInt)
  @Min(1_000)
  @Max(24 * 60 * 60 * 1000)
  @IsInt()
  DISCOVERY_MIN_REFRESH_INTERVAL_MS = 5 * 60 * 1000;

  /** Timeout of one discovery fetch from a WOPI client. */
  @Transform(toInt)
  @Min(100)
  @Max(120_000)
  @IsInt()
  DISCOVERY_FETCH_TIMEOUT_MS = 10_000;

  /** Trust X-Forwarded-* from the reverse proxy in front (set in production behind an ingress). */
  @Transform(({ value }: { value: unknown }) => (value === undefined ? undefined : value === 'true' || value === '1'))
  TRUST_PROXY = false;

  /**
   * A header a trusted edge sets to the client's ISO country code (e.g. CloudFront-Viewer-Country,
   * CF-IPCountry): metrics and traffic records carry the country, never the address.
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9-]{1,64}$/, { message: 'CLIENT_COUNTRY_HEADER must be a header name' })
  @Transform(emptyToUndefined)
  CLIENT_COUNTRY_HEADER?: string;

  /** A MaxMind-format country database (GeoLite2-Country.mmdb) for the client's country; the header wins. */
  @IsOptional()
  @IsString()
  @Transform(emptyToUndefined)
  GEOIP_DATABASE_PATH?: string;

  /** Folder of prisma/migrations, read by /readyz to check that every migration is applied. */
  @IsString()
  MIGRATIONS_DIR = 'prisma/migrations';

  /** Attempts of a conversion job; only core-app outages are retried, a failing document is not. */
  @Transform(toInt)
  @Min(1)
  @Max(20)
  @IsInt()
  CONVERSION_ATTEMPTS = 5;

  /** First wait before a conversion job is retried; it doubles with each further attempt. */
  @Transform(toInt)
  @Min(100)
  @Max(3_600_000)
  @IsInt()
  CONVERSION_RETRY_DELAY_MS = 10_000;

  /** Days a deleted tenant's data is kept (restorable by support) before housekeeping purges it. */
  @Transform(toInt)
  @Min(0)
  @Max(365)
  @IsInt()
  TENANT_DELETION_GRACE_DAYS = 30;
}

/** The kinds of job a worker can take; each is one queue and its processor. */
export const WORKER_JOB_KINDS = ['write-back', 'conversion', 'housekeeping'] as const;
export type WorkerJobKind = (typeof WORKER_JOB_KINDS)[number];

/** The worker process: BullMQ processors, no HTTP. */
export class WorkerEnv extends RuntimeEnv {
  /**
   * Which jobs this worker takes (comma-separated). Conversions need LibreOffice and a CPU each,
   * so operators may run them on their own workers and keep saves on lean ones.
   */
  @Transform(toList)
  @ArrayNotEmpty({ message: `WORKER_JOBS must name at least one of ${WORKER_JOB_KINDS.join(', ')}` })
  @IsIn(WORKER_JOB_KINDS, {
    each: true,
    message: `WORKER_JOBS may only name ${WORKER_JOB_KINDS.join(', ')} (comma-separated)`,
  })
  WORKER_JOBS: WorkerJobKind[] = [...WORKER_JOB_KINDS];

  /** How often the worker re-enqueues write-backs that a crash or a Redis restart left behind. */
  @Transform(toInt)
  @Min(100)
  @IsInt()
  WRITE_BACK_RELAY_INTERVAL_MS = 5_000;

  /** Audit events older than this are removed by the housekeeping job. */
  @Transform(toInt)
  @Min(1)
  @IsInt()
  AUDIT_RETENTION_DAYS = 400;

  /** Longest one LibreOffice conversion may run before its processes are killed. */
  @Transform(toInt)
  @Min(100)
  // 30 min: conversion working folders older than four times this are swept as leftovers.
  @Max(1_800_000)
  @IsInt()
  CONVERSION_TIMEOUT_MS = 120_000;

  /** Conversions (LibreOffice processes) one worker runs at once; each takes a CPU and a few hundred MB. */
  @Transform(toInt)
  @Min(1)
  @Max(64)
  @IsInt()
  CONVERSION_CONCURRENCY = 2;

  /** Parent folder of the conversions' throw-away working folders; the OS temp folder when empty. */
  @IsString()
  CONVERSION_TEMP_DIR = '';

  /** Absolute path of LibreOffice's soffice; the usual install locations are searched when empty. */
  @IsString()
  @Matches(/^(\/.*)?$/, { message: 'SOFFICE_PATH must be an absolute path' })
  SOFFICE_PATH = '';

  /**
   * Port of the worker's health listener (/healthz, /readyz); no HTTP at all when unset, so
   * several workers on one machine never compete for a port. Container images set it.
   */
  @IsOptional()
  @Transform(toInt)
  @Min(0)
  @Max(65_535)
  @IsInt({ message: 'WORKER_HEALTH_PORT must be an integer between 0 and 65535' })
  WORKER_HEALTH_PORT?: number;

  /** Address of the worker's health listener (`0.0.0.0` in a container, so the kubelet reaches it). */
  @IsString()
  @MinLength(1)
  WORKER_HEALTH_HOST = '127.0.0.1';
}

/** `npm run db:seed`: the demo tenant, pointed at the local demo core app. */
export class DemoSeedEnv {
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgresql:// URL' })
  DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/wopi_gateway';

  @RequiredSecret()
  @Matches(/^[A-Za-z0-9+/]{43}=$/, {
    message: 'SECRETS_ENCRYPTION_KEY must be 32 bytes encoded as base64 (44 characters)',
  })
  SECRETS_ENCRYPTION_KEY: string;

  /** Base URL of the demo core app's contract API. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  DEMO_CORE_URL = 'http://127.0.0.1:3100/core/v1';

  @RequiredSecret()
  @IsString()
  @MinLength(8)
  DEMO_CORE_API_SECRET: string;

  /** The demo tenant's session API key (`wgk_<16 hex>_<43 base64url>`), generated by the launcher. */
  @RequiredSecret()
  @Matches(/^wgk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/, {
    message: 'DEMO_SESSION_API_KEY must look like wgk_<16 hex>_<43 base64url>',
  })
  DEMO_SESSION_API_KEY: string;

  /** The demo's admin key with every scope (`wgk_...`), generated by the launcher; none when unset. */
  @Sensitive()
  @IsOptional()
  @Matches(/^wgk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/, {
    message: 'DEMO_ADMIN_API_KEY must look like wgk_<16 hex>_<43 base64url>',
  })
  DEMO_ADMIN_API_KEY?: string;

  /** Discovery URL of the WOPI validator's stand-in client (node cli.mjs discovery --serve PORT). */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  DEMO_VALIDATOR_DISCOVERY_URL = 'http://127.0.0.1:8099/hosting/discovery';

  /**
   * Discovery URL of a Collabora Online the demo tenant edits with (deploy/compose.yaml runs
   * CODE); when set, that profile becomes the tenant's default editor.
   */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  @Transform(emptyToUndefined)
  DEMO_COLLABORA_DISCOVERY_URL?: string;

  /** Discovery URL of the demo's built-in editor (apps/demo-editor), the demo tenant's default client. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  DEMO_EDITOR_DISCOVERY_URL = 'http://127.0.0.1:3200/hosting/discovery';
}

/** `npm run admin`: the operator command line, which works on the database directly. */
export class AdminCliEnv {
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgresql:// URL' })
  DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/wopi_gateway';
}
