/**
 * The editor page a host page's form POST opens in its frame. The document's text, a Save button,
 * and a protocol inspector listing every WOPI call the editor made (operation, path, the WOPI
 * headers sent and received, status, time). The access token never reaches the page: the page
 * names its editor session, and the editor server makes the signed WOPI calls.
 *
 * The script follows online/scenarios/postmessage.rst as a WOPI client's frame: it posts only to
 * CheckFileInfo's PostMessageOrigin and takes messages only from it; App_LoadingStatus once the
 * document is shown and Host_PostmessageReady came; UI_Close after closing (Unlock) the session;
 * UI_Sharing and UI_FileVersions when the host said it handles them.
 */
export interface EditorPageInput {
  nonce: string;
  title: string;
  config: {
    sessionId: string;
    action: 'view' | 'edit';
    pollMs: number;
    refreshLockMs: number;
  };
}

export function renderEditorPage(input: EditorPageInput): string {
  // JSON in a script block: "<" escaped so no text of it can close the block.
  const config = JSON.stringify(input.config).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<link rel="icon" href="/favicon.svg">
<style nonce="${input.nonce}">
  body { font: 14px/1.45 system-ui, sans-serif; margin: 0; background: #f3f3f3; color: #222; }
  header { display: flex; gap: .75rem; align-items: center; padding: .5rem 1rem; background: #2b579a; color: #fff; }
  header h1 { font-size: 1rem; margin: 0; flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  header button { font: inherit; padding: .3rem .8rem; border: 1px solid #fff6; border-radius: 3px; background: #fff2; color: #fff; cursor: pointer; }
  header button:disabled { opacity: .45; cursor: default; }
  #status { padding: .35rem 1rem; background: #fff; border-bottom: 1px solid #ddd; min-height: 1.2em; }
  #status[data-kind="error"] { background: #fde7e9; color: #a4262c; }
  #status[data-kind="changed"] { background: #fff4ce; }
  main { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 1rem; padding: 1rem; }
  section { background: #fff; border: 1px solid #ddd; border-radius: 4px; padding: .75rem 1rem; }
  h2 { font-size: .95rem; margin: 0 0 .5rem; }
  label { display: block; font-size: .8rem; color: #555; margin-top: .6rem; }
  textarea, input { width: 100%; box-sizing: border-box; font: inherit; padding: .3rem .4rem; border: 1px solid #bbb; border-radius: 3px; }
  textarea[data-dirty="true"], input[data-dirty="true"] { border-color: #2b579a; background: #f2f6fc; }
  table { border-collapse: collapse; width: 100%; font: 12px/1.35 ui-monospace, monospace; }
  td, th { text-align: left; padding: .2rem .3rem; border-bottom: 1px solid #eee; vertical-align: top; }
  td.bad { color: #a4262c; font-weight: bold; }
  td { word-break: break-all; }
  td.headers { color: #666; white-space: pre-wrap; padding-bottom: .45rem; border-bottom: 1px solid #ddd; }
  tr[data-operation] td { border-bottom: none; padding-top: .45rem; }
</style></head>
<body data-state="loading">
<header>
  <h1 id="title">Opening…</h1>
  <span id="user"></span>
  <button id="save" type="button" disabled>Save</button>
  <button id="share" type="button" hidden>Share</button>
  <button id="versions" type="button" hidden>Versions</button>
  <button id="close" type="button">Close</button>
</header>
<div id="status" role="status" aria-live="polite"></div>
<main>
  <section aria-labelledby="text_heading"><h2 id="text_heading">Document text</h2><div id="fields"></div></section>
  <section aria-labelledby="inspector_heading">
    <h2 id="inspector_heading">WOPI calls (protocol inspector)</h2>
    <table><thead><tr><th>#</th><th>operation</th><th>request</th><th>status</th><th>ms</th></tr></thead><tbody id="calls"></tbody></table>
    <h2>PostMessage</h2>
    <table><tbody id="messages"></tbody></table>
  </section>
</main>
<script type="application/json" id="editor_config">${config}</script>
<script nonce="${input.nonce}">${EDITOR_SCRIPT}</script>
</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const EDITOR_SCRIPT = `(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('editor_config').textContent);
  var api = '/api/sessions/' + encodeURIComponent(config.sessionId) + '/';
  var state = null;
  var hostOrigin = null;
  var hostReady = false;
  var announced = false;
  var closed = false;
  var busy = false;
  var loadedAt = 0;

  function $(id) { return document.getElementById(id); }

  function request(operation, body) {
    return fetch(api + operation, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body || {}),
      cache: 'no-store'
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (!response.ok) {
          var error = new Error(answer.error ? answer.error.message : 'HTTP ' + response.status);
          error.code = answer.error && answer.error.code;
          throw error;
        }
        return answer;
      });
    });
  }

  function status(text, kind) {
    $('status').textContent = text || '';
    $('status').setAttribute('data-kind', kind || 'info');
  }

  function dirtyFields() {
    var edited = {};
    var any = false;
    var inputs = $('fields').querySelectorAll('[data-field-id]');
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].getAttribute('data-dirty') === 'true') { edited[inputs[i].getAttribute('data-field-id')] = inputs[i].value; any = true; }
    }
    return any ? edited : null;
  }

  function show(answer) {
    state = answer;
    renderCalls(answer.calls);
    var file = answer.file;
    $('title').textContent = file.name + (file.version ? ' · version ' + file.version : '');
    document.title = file.name + ' - Demo editor';
    $('user').textContent = file.userName || '';
    $('save').disabled = !file.editable;
    $('share').hidden = !file.sharing;
    $('versions').hidden = !file.versions;
    document.body.setAttribute('data-version', file.version || '');
    if (file.postMessageOrigin && !hostOrigin) { hostOrigin = file.postMessageOrigin; receiveEarly(); }
  }

  function renderFields(fields, editable) {
    var holder = $('fields');
    holder.textContent = '';
    (fields || []).forEach(function (field) {
      var label = document.createElement('label');
      label.textContent = field.label;
      var input = document.createElement(field.multiline ? 'textarea' : 'input');
      if (field.multiline) input.rows = Math.min(12, Math.max(1, Math.ceil(field.text.length / 70) + field.text.split('\\n').length - 1));
      input.value = field.text;
      input.setAttribute('data-field-id', field.id);
      input.setAttribute('data-original', field.text);
      input.readOnly = !editable || !field.editable;
      input.addEventListener('input', function () {
        input.setAttribute('data-dirty', input.value !== input.getAttribute('data-original') ? 'true' : 'false');
      });
      label.appendChild(input);
      holder.appendChild(label);
    });
  }

  function renderCalls(calls) {
    var body = $('calls');
    body.textContent = '';
    calls.slice().reverse().forEach(function (call) {
      var row = document.createElement('tr');
      row.setAttribute('data-operation', call.operation);
      row.setAttribute('data-status', String(call.status));
      [
        String(call.seq),
        call.operation,
        call.method + ' ' + call.path,
        call.status ? String(call.status) : 'no answer',
        String(call.durationMs)
      ].forEach(function (text, index) {
        var cell = document.createElement('td');
        cell.textContent = text;
        if (index === 3 && (call.status === 0 || call.status >= 400)) cell.className = 'bad';
        row.appendChild(cell);
      });
      body.appendChild(row);
      // The WOPI headers sent and received, on a line of their own under the call.
      var sent = Object.keys(call.requestHeaders).map(function (name) { return name + ': ' + call.requestHeaders[name]; });
      if (call.signed) sent.push('X-WOPI-Proof, X-WOPI-ProofOld: signed');
      var got = Object.keys(call.responseHeaders).map(function (name) { return name + ': ' + call.responseHeaders[name]; });
      var details = document.createElement('tr');
      var cell = document.createElement('td');
      cell.colSpan = 5;
      cell.className = 'headers';
      cell.textContent = '→ ' + sent.join(' · ') + (got.length ? '\\n← ' + got.join(' · ') : '') + (call.error ? '\\n' + call.error : '');
      details.appendChild(cell);
      body.appendChild(details);
    });
  }

  function logMessage(direction, id) {
    var row = document.createElement('tr');
    var cell = document.createElement('td');
    cell.textContent = new Date().toISOString().slice(11, 23) + ' ' + direction + ' ' + id;
    row.appendChild(cell);
    row.setAttribute('data-message', direction + ' ' + id);
    $('messages').insertBefore(row, $('messages').firstChild);
  }

  function post(id, values) {
    if (!hostOrigin || window.parent === window) return;
    window.parent.postMessage(JSON.stringify({ MessageId: id, SendTime: Date.now(), Values: values || {} }), hostOrigin);
    logMessage('→', id);
  }

  function announce() {
    if (announced || !hostReady || !loadedAt) return;
    announced = true;
    post('App_LoadingStatus', { DocumentLoadedTime: loadedAt });
  }

  // The host page says Host_PostmessageReady when this frame has loaded, usually before
  // CheckFileInfo told us its origin: such messages wait until the origin can be checked.
  var early = [];
  window.addEventListener('message', function (event) {
    if (!hostOrigin) { early.push(event); return; }
    receive(event);
  });

  function receiveEarly() {
    var waiting = early;
    early = [];
    waiting.forEach(receive);
  }

  function receive(event) {
    if (event.origin !== hostOrigin) return;
    var message;
    try { message = typeof event.data === 'string' ? JSON.parse(event.data) : event.data; } catch (error) { return; }
    if (!message || typeof message.MessageId !== 'string') return;
    logMessage('←', message.MessageId);
    if (message.MessageId === 'Host_PostmessageReady') { hostReady = true; announce(); }
  }

  function fail(error) {
    busy = false;
    status(error.message, 'error');
    if (error.code === 'session_not_found') { closed = true; document.body.setAttribute('data-state', 'closed'); }
  }

  request('open').then(function (answer) {
    show(answer);
    renderFields(answer.fields, answer.file.editable);
    loadedAt = Date.now();
    document.body.setAttribute('data-state', 'ready');
    status(answer.file.readOnlyReason ? 'Read-only: ' + answer.file.readOnlyReason : 'Ready. Change the text and save.');
    announce();
    setInterval(poll, config.pollMs);
    if (answer.file.editable) setInterval(refreshLock, config.refreshLockMs);
  }, function (error) {
    document.body.setAttribute('data-state', 'failed');
    fail(error);
  });

  function poll() {
    if (closed || busy) return;
    var dirty = dirtyFields();
    request('poll', { reloadIfChanged: !dirty }).then(function (answer) {
      show(answer);
      if (answer.changed && !dirty) {
        renderFields(answer.fields, answer.file.editable);
        status('A co-author saved: ' + answer.notice + '.', 'changed');
      } else if (answer.changed) {
        status('A co-author saved a newer version; it is merged with your changes when you save.', 'changed');
      }
    }, fail);
  }

  function refreshLock() {
    if (closed) return;
    request('refresh-lock').then(function (answer) { show(answer); if (answer.notice) status(answer.notice); }, fail);
  }

  $('save').addEventListener('click', function () {
    var edited = dirtyFields();
    if (!edited || busy) { status('Nothing to save.'); return; }
    busy = true;
    status('Saving…');
    document.body.setAttribute('data-state', 'saving');
    request('save', { fields: edited }).then(function (answer) {
      busy = false;
      show(answer);
      renderFields(answer.fields, answer.file.editable);
      document.body.setAttribute('data-state', 'ready');
      status('Saved (' + answer.notice + ').');
    }, function (error) {
      document.body.setAttribute('data-state', 'ready');
      fail(error);
      if (error.code === 'edit_conflict') request('poll', { reloadIfChanged: true }).then(function (answer) { show(answer); renderFields(answer.fields, answer.file.editable); status(error.message, 'error'); });
    });
  });

  $('close').addEventListener('click', function () {
    if (closed) return;
    closed = true;
    status('Closing…');
    request('close').then(function (answer) { show(answer); }, function () {}).then(function () {
      document.body.setAttribute('data-state', 'closed');
      status('Closed.');
      post('UI_Close', {});
    });
  });
  $('share').addEventListener('click', function () { post('UI_Sharing', {}); });
  $('versions').addEventListener('click', function () { post('UI_FileVersions', {}); });

  // A closed tab or a navigation away: release the lock without waiting for the sweeper.
  window.addEventListener('pagehide', function () {
    if (closed) return;
    closed = true;
    if (navigator.sendBeacon) navigator.sendBeacon(api + 'close', new Blob([''], { type: 'text/plain' }));
  });
})();`;
