// Action URLs from discovery urlsrc templates (online/discovery.rst "Transforming the urlsrc parameter").

/** The placeholders discovery.rst documents; any other placeholder is removed, as the spec requires. */
export const ACTION_URL_PLACEHOLDERS = [
  'UI_LLCC',
  'DC_LLCC',
  'EMBEDDED',
  'DISABLE_ASYNC',
  'DISABLE_BROADCAST',
  'DISABLE_CHAT',
  'FULLSCREEN',
  'HOST_SESSION_ID',
  'RECORDING',
  'THEME_ID',
  'PERFSTATS',
  'BUSINESS_USER',
  'VALIDATOR_TEST_CATEGORY',
  'SESSION_CONTEXT',
] as const;

export type ActionUrlPlaceholder = (typeof ACTION_URL_PLACEHOLDERS)[number];

export interface ActionUrlOptions {
  /** The file's WOPISrc (`https://host/wopi/files/<id>`), without access token. */
  wopiSrc: string;
  /** Values for the placeholders the host wants to set; an absent or empty value removes its parameter. */
  values?: Partial<Record<ActionUrlPlaceholder, string>>;
}

/** WOPI_SOURCE "must be replaced by a WopiSrc value"; unlike the others it is never removed (discovery.rst). */
const WOPI_SOURCE = 'WOPI_SOURCE';
const KNOWN_PLACEHOLDERS: ReadonlySet<string> = new Set(ACTION_URL_PLACEHOLDERS);
// <name=PLACEHOLDER_VALUE[&]>
const PLACEHOLDER_SECTION = /<([^<>]*)>/g;
const PLACEHOLDER_PARTS = /^([^=&]+)=([A-Z0-9_]+)(&?)$/;

/**
 * Turns a discovery urlsrc into an action URL: a placeholder with a value keeps its parameter name
 * and gets the URL-encoded value (and its '&', if it had one); every other placeholder section is
 * removed entirely; then the WOPISrc goes into WOPI_SOURCE, or is appended as `WOPISrc=` with the
 * right separator. Whitespace is dropped: discovery.rst's own example wraps the attribute over
 * lines, and a URL cannot contain any. No access token: the host page POSTs it (hostpage.rst).
 */
export function buildActionUrl(urlsrc: string, options: ActionUrlOptions): string {
  const wopiSrc = encodeURIComponent(options.wopiSrc);
  const values: Readonly<Record<string, string | undefined>> = options.values ?? {};
  const compact = urlsrc.replace(/\s+/g, '');
  const hashIndex = compact.indexOf('#');
  const fragment = hashIndex === -1 ? '' : compact.slice(hashIndex);
  let wopiSourceFilled = false;

  let url = (hashIndex === -1 ? compact : compact.slice(0, hashIndex)).replace(
    PLACEHOLDER_SECTION,
    (_section, inner: string) => {
      const parts = PLACEHOLDER_PARTS.exec(inner);
      if (!parts) return '';
      const [, name, placeholder, ampersand] = parts;
      if (placeholder === WOPI_SOURCE) {
        wopiSourceFilled = true;
        return `${name}=${wopiSrc}${ampersand}`;
      }
      const value = KNOWN_PLACEHOLDERS.has(placeholder) ? values[placeholder] : undefined;
      return value === undefined || value === '' ? '' : `${name}=${encodeURIComponent(value)}${ampersand}`;
    },
  );

  if (!wopiSourceFilled) {
    const separator = !url.includes('?') ? '?' : /[?&]$/.test(url) ? '' : '&';
    url += `${separator}WOPISrc=${wopiSrc}`;
  }
  // Removed sections can leave "?&", "&&" or a dangling '&' / '?' behind.
  url = url
    .replace(/\?&+/, '?')
    .replace(/&{2,}/g, '&')
    .replace(/[?&]+$/, '');
  return url + fragment;
}
