export const WOPI_SETTINGS = Symbol('WOPI_SETTINGS');

export interface WopiSettings {
  /** The gateway's public URL: WOPISrc values and PostMessageOrigin start with it. */
  publicBaseUrl: string;
}
