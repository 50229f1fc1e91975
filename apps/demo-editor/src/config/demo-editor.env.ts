import type { DemoEditorConfig } from './demo-editor.config';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** One or more variables are wrong: all of them are listed, then the process exits. */
export class DemoEditorEnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid demo-editor environment: ${problems.join('; ')}`);
    this.name = 'DemoEditorEnvError';
  }
}

/** The demo editor's configuration from its environment (the only place it reads process.env). */
export function loadDemoEditorConfig(env: NodeJS.ProcessEnv = process.env): DemoEditorConfig {
  const problems: string[] = [];
  const value = (name: string) => (env[name] === '' ? undefined : env[name]);
  const integer = (name: string, fallback: number, min: number, max: number) => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const parsed = Number(raw);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}`);
      return fallback;
    }
    return parsed;
  };
  const publicUrl = value('DEMO_EDITOR_PUBLIC_URL');
  if (publicUrl !== undefined && !/^https?:\/\/[^/]+$/.test(publicUrl.replace(/\/$/, ''))) {
    problems.push('DEMO_EDITOR_PUBLIC_URL must be an http(s) origin such as http://127.0.0.1:3200');
  }
  const logLevel = value('DEMO_EDITOR_LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`DEMO_EDITOR_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const config: DemoEditorConfig = {
    host: value('DEMO_EDITOR_HOST') ?? '127.0.0.1',
    port: integer('DEMO_EDITOR_PORT', 3200, 0, 65535),
    ...(publicUrl !== undefined ? { publicUrl: publicUrl.replace(/\/$/, '') } : {}),
    keysDir: value('DEMO_EDITOR_KEYS_DIR') ?? '.local/demo/editor-proof-keys',
    pollMs: integer('DEMO_EDITOR_POLL_MS', 3000, 200, 600_000),
    // Office refreshes well inside the 30-minute lock lifetime.
    refreshLockMs: integer('DEMO_EDITOR_REFRESH_LOCK_MS', 10 * 60_000, 500, 25 * 60_000),
    staleAfterMs: integer('DEMO_EDITOR_STALE_AFTER_MS', 2 * 60_000, 1000, 60 * 60_000),
    wopiTimeoutMs: integer('DEMO_EDITOR_WOPI_TIMEOUT_MS', 30_000, 100, 600_000),
    logLevel,
    ...(value('DEMO_EDITOR_VALIDATOR_CLI') !== undefined ? { validatorCli: value('DEMO_EDITOR_VALIDATOR_CLI') } : {}),
  };
  if (problems.length > 0) throw new DemoEditorEnvError(problems);
  return config;
}
