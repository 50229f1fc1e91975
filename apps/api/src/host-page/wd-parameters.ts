/**
 * hostpage.rst "Passing through wd* parameters": Office for the web may add `wd*` query parameters
 * to the host page's URL, which "you must pass, unchanged, to the Office iframe". They are taken
 * from the raw query string and appended as they came (no decoding and re-encoding).
 */
export function withWdParameters(actionUrl: string, rawQuery: string): string {
  const parts = rawQuery.split('&').filter((part) => /^wd[A-Za-z0-9_]*(=|$)/.test(part));
  if (parts.length === 0) return actionUrl;
  const hashIndex = actionUrl.indexOf('#');
  const base = hashIndex === -1 ? actionUrl : actionUrl.slice(0, hashIndex);
  const fragment = hashIndex === -1 ? '' : actionUrl.slice(hashIndex);
  const separator = !base.includes('?') ? '?' : /[?&]$/.test(base) ? '' : '&';
  return `${base}${separator}${parts.join('&')}${fragment}`;
}

/** "remove the following parameters from your host page URL after passing them to the Office iframe". */
export const WD_PARAMETERS_TO_REMOVE = ['wdPreviousSession', 'wdPreviousCorrelation'];
