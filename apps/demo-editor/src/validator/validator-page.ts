/**
 * The validator frame's page: which file it tests, a button that runs the WOPI validator, and its
 * output as it comes. PostMessage as a WOPI client frame: App_LoadingStatus after
 * Host_PostmessageReady, UI_Close from the Close button; only to and from the host page's origin
 * (the WOPISrc's, where the gateway serves its host page).
 */
export function renderValidatorPage(input: {
  nonce: string;
  frameId: string;
  wopiSrc: string;
  hostOrigin: string;
  available: boolean;
}): string {
  const config = JSON.stringify({ frameId: input.frameId, hostOrigin: input.hostOrigin }).replace(/</g, '\\u003c');
  const wopiSrc = input.wopiSrc.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>WOPI validator</title>
<link rel="icon" href="/favicon.svg">
<style nonce="${input.nonce}">
  body { font: 14px/1.45 system-ui, sans-serif; margin: 0; background: #f3f3f3; }
  header { display: flex; gap: .75rem; align-items: center; padding: .5rem 1rem; background: #444; color: #fff; }
  header h1 { font-size: 1rem; margin: 0; flex: 1; }
  header button { font: inherit; padding: .3rem .8rem; border: 1px solid #fff6; border-radius: 3px; background: #fff2; color: #fff; cursor: pointer; }
  header button:disabled { opacity: .45; }
  p { margin: .75rem 1rem; }
  pre { margin: 0 1rem 1rem; padding: .75rem; background: #fff; border: 1px solid #ddd; min-height: 10rem; white-space: pre-wrap; font: 12px/1.4 ui-monospace, monospace; }
</style></head>
<body data-state="idle">
<header><h1>WOPI validator</h1>
<button id="run" type="button"${input.available ? '' : ' disabled'}>Run the validator</button>
<button id="close" type="button">Close</button></header>
<p>Runs Microsoft's WOPI validator test cases against <code>${wopiSrc}</code> with this session's access token.
${input.available ? '' : 'No validator is configured on this demo editor (DEMO_EDITOR_VALIDATOR_CLI).'}</p>
<pre id="output" aria-live="polite"></pre>
<script type="application/json" id="validator_config">${config}</script>
<script nonce="${input.nonce}">(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('validator_config').textContent);
  var api = '/api/validator-frames/' + encodeURIComponent(config.frameId);
  var loadedAt = Date.now();
  var announced = false;
  function post(id, values) {
    if (window.parent === window) return;
    window.parent.postMessage(JSON.stringify({ MessageId: id, SendTime: Date.now(), Values: values || {} }), config.hostOrigin);
  }
  window.addEventListener('message', function (event) {
    if (event.origin !== config.hostOrigin) return;
    var message;
    try { message = typeof event.data === 'string' ? JSON.parse(event.data) : event.data; } catch (error) { return; }
    if (message && message.MessageId === 'Host_PostmessageReady' && !announced) {
      announced = true;
      post('App_LoadingStatus', { DocumentLoadedTime: loadedAt });
    }
  });
  function show(state) {
    document.getElementById('output').textContent = state.lines.join('\\n');
    document.body.setAttribute('data-state', state.running ? 'running' : state.exitCode === null ? 'idle' : 'done');
    document.getElementById('run').disabled = state.running;
  }
  function poll() {
    fetch(api, { cache: 'no-store' }).then(function (r) { return r.json(); }).then(function (state) {
      show(state);
      if (state.running) setTimeout(poll, 1000);
    });
  }
  document.getElementById('run').addEventListener('click', function () {
    fetch(api + '/run', { method: 'POST' }).then(function (r) { return r.json(); }).then(function (state) { show(state); setTimeout(poll, 1000); });
  });
  document.getElementById('close').addEventListener('click', function () { post('UI_Close', {}); });
})();</script>
</body></html>`;
}
