import type { LaunchLinks } from '@wopi/access-tokens';
import type { CoreFile } from '@wopi/core-app-client';

/**
 * The core app's pages the host page may send the user to (UI_Sharing, UI_FileVersions, UI_Edit).
 * Only absolute http(s) URLs: the page navigates to them, and a javascript: URL would run in the
 * gateway's origin. Sharing only for users the core app lets share.
 */
export function launchLinksOf(coreFile: Pick<CoreFile, 'permissions' | 'urls'>): LaunchLinks {
  const links: LaunchLinks = {};
  const share = coreFile.permissions.share ? httpUrl(coreFile.urls?.share) : undefined;
  const versions = httpUrl(coreFile.urls?.versions);
  const edit = httpUrl(coreFile.urls?.edit);
  if (share) links.share = share;
  if (versions) links.versions = versions;
  if (edit) links.edit = edit;
  return links;
}

function httpUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
