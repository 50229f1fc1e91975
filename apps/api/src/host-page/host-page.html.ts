import type { LaunchLinks } from '@wopi/access-tokens';
import { HOST_PAGE_SCRIPT } from './host-page.script';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/**
 * JSON inside a `<script type="application/json">` element: `<` is escaped so no value can close
 * the element, and U+2028/2029 so the text stays one JavaScript-safe line.
 */
function jsonForScriptElement(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** What the page's script reads from its `host_config` block. */
export interface HostPageClientConfig {
  /** Messages are taken from this origin only, and sent to it only. */
  actionOrigin: string;
  returnUrl: string | null;
  links: LaunchLinks;
  tenantName: string;
  /** The file's extension with its dot ('' if none), added to a File_Rename NewName that lacks it. */
  extension: string;
  frameTitle: string;
  /** Query parameters the script removes from the address bar. */
  stripParameters: string[];
  text: { sharing: DialogText; versions: DialogText };
}

interface DialogText {
  title: string;
  link: string;
}

interface PageHead {
  title: string;
  faviconUrl: string;
  nonce: string;
}

export interface EditorPageModel extends PageHead {
  /** Action URL with the wd* parameters the page was opened with. */
  actionUrl: string;
  accessToken: string;
  accessTokenTtl: number;
  config: HostPageClientConfig;
}

export interface NoticePageModel extends PageHead {
  heading: string;
  paragraphs: string[];
  accentColour: string;
}

/**
 * Head of every host page: the viewport tag and no-zoom rule hostpage.rst asks for ("to avoid
 * visual and functional problems in mobile browsers"), the document's title and favicon.
 */
function head(model: PageHead, style: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, maximum-scale=1, minimum-scale=1, user-scalable=no">
<title>${escapeHtml(model.title)}</title>
<link rel="icon" href="${escapeHtml(model.faviconUrl)}">
<style nonce="${model.nonce}">
${style}
</style>
</head>`;
}

// The body and frame rules of Microsoft's SampleHostPage.html, which hostpage.rst requires.
const EDITOR_STYLE = `  body { margin: 0; padding: 0; overflow: hidden; -ms-content-zooming: none; font-family: system-ui, sans-serif; }
  #office_frame { width: 100%; height: 100%; position: absolute; top: 0; left: 0; right: 0; bottom: 0; margin: 0; border: none; display: block; }
  .host-overlay { position: fixed; inset: 0; display: flex; align-items: center; justify-content: center; background: rgba(0, 0, 0, 0.45); }
  .host-overlay[hidden] { display: none; }
  .host-box { max-width: 28rem; padding: 1.5rem; border-radius: 6px; background: #fff; box-shadow: 0 8px 24px rgba(0, 0, 0, 0.3); }
  .host-box h2 { margin-top: 0; font-size: 1.2rem; }
  .host-box a { display: inline-block; margin-right: 1rem; }`;

/**
 * The editor's host page (online/hostpage.rst): a full-window iframe created by the script, and a
 * form that POSTs access_token and access_token_ttl into it. The token appears in this page body
 * only, never in a URL.
 */
export function renderEditorPage(model: EditorPageModel): string {
  return `${head(model, EDITOR_STYLE)}
<body>
<form id="office_form" name="office_form" target="office_frame" action="${escapeHtml(model.actionUrl)}" method="post">
<input name="access_token" value="${escapeHtml(model.accessToken)}" type="hidden">
<input name="access_token_ttl" value="${model.accessTokenTtl}" type="hidden">
</form>
<span id="frameholder"></span>
<div id="host_dialog" class="host-overlay" role="dialog" aria-modal="true" aria-labelledby="host_dialog_title" hidden>
  <div class="host-box">
    <h2 id="host_dialog_title"></h2>
    <a id="host_dialog_link" target="_blank" rel="noopener noreferrer"></a>
    <button type="button" id="host_dialog_close">Close</button>
  </div>
</div>
<div id="host_closed" class="host-overlay" role="status" hidden>
  <div class="host-box"><h2>The document is closed</h2><p>You can close this window.</p></div>
</div>
<noscript><p>The editor needs JavaScript. Turn it on and open the document again from your application.</p></noscript>
<script type="application/json" id="host_config">${jsonForScriptElement(model.config)}</script>
<script nonce="${model.nonce}">
${HOST_PAGE_SCRIPT}
</script>
</body>
</html>`;
}

/** A host page without an editor: says honestly why the document cannot be opened here. */
export function renderNoticePage(model: NoticePageModel): string {
  const style = `  html, body { margin: 0; padding: 0; height: 100%; overflow: hidden; font-family: system-ui, sans-serif; }
  #office_frame_area { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; }
  .notice { max-width: 36rem; padding: 1.5rem; border-left: 4px solid ${model.accentColour}; background: #f6f8fa; }`;
  return `${head(model, style)}
<body>
<main id="office_frame_area">
  <div class="notice" role="status">
    <h1>${escapeHtml(model.heading)}</h1>
${model.paragraphs.map((text) => `    <p>${escapeHtml(text)}</p>`).join('\n')}
  </div>
</main>
</body>
</html>`;
}

export function renderExpiredLinkPage(): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Link expired</title></head>
<body>
<h1>This link has expired or was already used</h1>
<p>Open the document again from your application to get a new link.</p>
</body>
</html>`;
}
