/** Everything the demo editor needs, validated (demo-editor.env.ts reads it from the environment). */
export interface DemoEditorConfig {
  host: string;
  port: number;
  /** The URL browsers and the gateway reach the editor at: action URLs in discovery start with it. */
  publicUrl?: string;
  /** Where the proof-key pairs are kept (made on first start). */
  keysDir: string;
  /** How often an open editor asks CheckFileInfo for a co-author's new version. */
  pollMs: number;
  /** How often an open editor refreshes the shared lock (WOPI locks expire after 30 minutes). */
  refreshLockMs: number;
  /** An editor page silent for this long is closed (its lock released when it was the last editor). */
  staleAfterMs: number;
  wopiTimeoutMs: number;
  /** The WOPI validator's cli.mjs: its frame (`/validator/…`) runs it; absent: the frame cannot run tests. */
  validatorCli?: string;
  logLevel: string;
}
