export interface HostPageCspInput {
  /** Per-response nonce of the page's one inline script and style element. */
  nonce: string;
  /** Who may frame the page (the tenant's allowed frame ancestors). */
  frameAncestors: string[];
  /** The editor's origin: the only frame the page loads and the only place its form posts to. */
  editorOrigin?: string;
  /** Origin of a favicon from discovery, besides the page's own data: icons. */
  faviconOrigin?: string;
}

/**
 * The host page's Content-Security-Policy: nothing loads but the editor frame, the page's own
 * nonce'd script and style, and its favicon; the form may post only to the editor; and only the
 * tenant's allowed ancestors may frame the page.
 */
export function hostPageCsp(input: HostPageCspInput): string {
  const directives = [
    "default-src 'none'",
    `script-src 'nonce-${input.nonce}'`,
    `style-src 'nonce-${input.nonce}'`,
    ['img-src', 'data:', input.faviconOrigin].filter(Boolean).join(' '),
    `frame-src ${input.editorOrigin ?? "'none'"}`,
    `form-action ${input.editorOrigin ?? "'none'"}`,
    "base-uri 'none'",
    `frame-ancestors ${input.frameAncestors.join(' ')}`,
  ];
  return directives.join('; ');
}
