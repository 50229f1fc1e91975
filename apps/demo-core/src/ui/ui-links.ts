import { Breadcrumb, DocumentLinks, FileUrls } from '../documents/document-links';

export const BRAND_NAME = 'Demo Core';
export const FOLDER_NAME = 'Shared documents';
export const UI_PREFIX = '/ui';

/** Links to demo-core's own pages (ui.routes.ts), absolute under the public base URL. */
export class UiLinks implements DocumentLinks {
  /** `baseUrl` is asked on every use: without a configured URL it is only known once listening. */
  constructor(private readonly baseUrl: () => string) {}

  urlsFor(ref: string): FileUrls {
    const page = `${this.baseUrl()}${UI_PREFIX}/files/${encodeURIComponent(ref)}`;
    const folder = this.folderUrl();
    return {
      view: page,
      edit: `${page}?action=edit`,
      close: folder,
      share: `${page}#access`,
      versions: `${page}#versions`,
      folder,
    };
  }

  breadcrumb(): Breadcrumb {
    return { brandName: BRAND_NAME, brandUrl: this.folderUrl(), folderName: FOLDER_NAME, folderUrl: this.folderUrl() };
  }

  private folderUrl(): string {
    return `${this.baseUrl()}${UI_PREFIX}`;
  }
}
