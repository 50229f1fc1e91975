// Types of index.cjs for TypeScript callers (test/setup, the integration test). Keep in step with
// the JSDoc in the .cjs files.

/** A Redis or PostgreSQL server returned by ensureRedis/ensurePostgres. */
export interface InfraServer {
  /** Where the server answers. */
  url: string;
  /** True when this process owns the server and stop() ends it. */
  started: boolean;
  /** The server process stop() ends; set only when `started`. */
  pid?: number;
  /** Idempotent; a no-op when nothing was started. */
  stop(): Promise<void>;
}

export interface EnsureServerOptions {
  /** Used as is when it answers; otherwise a private server is started. */
  url?: string;
  /** Where a private server keeps its data; reused by the next run. */
  dataDir?: string;
  /** Port for a private server when free (Redis 56379, PostgreSQL 55432 by default; 0 for any free port). */
  preferredPort?: number;
  /** Progress lines; console.error by default. */
  log?: (line: string) => void;
}

export type Probe = { ok: true } | { ok: false; reason: string };

/** A Redis that answers PING: the one at `url`, or a private redis-server in `dataDir`. */
export function ensureRedis(options?: EnsureServerOptions): Promise<InfraServer>;
/** A PostgreSQL that answers SELECT 1: the one at `url`, or a private cluster in `dataDir`. */
export function ensurePostgres(options?: EnsureServerOptions): Promise<InfraServer>;
/** Stops every server this process started; await it before exiting. */
export function stopAll(): Promise<void>;
/** Creates database `name` on the server at `adminUrl`; resolves its URL. */
export function createDatabase(adminUrl: string, name: string): Promise<string>;
/** Drops database `name` if it exists, disconnecting its sessions. */
export function dropDatabase(adminUrl: string, name: string): Promise<void>;
/** `url` with its database replaced by `name`. */
export function withDatabase(url: string, name: string): string;
/** Whether the Redis at `url` answers PING (AUTH first when the URL has a password). */
export function pingRedis(url: string, timeoutMs?: number): Promise<Probe>;
/** Whether the PostgreSQL at `url` accepts the credentials and answers SELECT 1. */
export function probePostgres(url: string): Promise<Probe>;
/** Whether `pid` is a running process (zombies count as gone). */
export function isProcessAlive(pid: number): boolean;
