export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Everything `createDemoCore` needs; built from the environment by `loadDemoCoreConfig`, or by tests. */
export interface DemoCoreConfig {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** Absolute path of the directory holding documents and their metadata. */
  readonly dataDir: string;
  /** Shared secret the gateway signs every `/core/v1` and `/_control` request with. */
  readonly apiSecret: string;
  /** Also accepted while the gateway's tenant credential is being rotated; unset otherwise. */
  readonly previousApiSecret?: string;
  /**
   * Absolute base URL of demo-core's own pages (`/ui`) as a browser reaches them, for the
   * `urls` and `breadcrumb` of file metadata. Unset: the address the server listens on.
   */
  readonly publicUrl?: string;
  /** Enables the `/_control` test switches (fault injection, external edits, request log). */
  readonly faultsEnabled?: boolean;
  readonly maxUploadBytes: number;
  /**
   * The WOPI Gateway the pages open documents through (its base URL, e.g. http://127.0.0.1:3000)
   * and the tenant's session API key. Unset: the pages list and share files but cannot open them.
   */
  readonly gateway?: { readonly url: string; readonly sessionApiKey: string };
  readonly logLevel: LogLevel;
}
