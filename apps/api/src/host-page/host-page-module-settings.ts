export const HOST_PAGE_SETTINGS = Symbol('HOST_PAGE_SETTINGS');

export interface HostPageModuleSettings {
  /** The gateway's public URL: WOPISrc values in the action URLs start with it. */
  publicBaseUrl: string;
}
