/**
 * The host page's inline script (served with a CSP nonce). Plain ES2017 for every browser Office
 * for the web supports; its settings come from the page's `host_config` JSON block, so this text
 * never changes and carries no data.
 *
 * It follows online/hostpage.rst and online/scenarios/postmessage.rst:
 * - creates the editor iframe from script and submits the form that POSTs access_token and
 *   access_token_ttl into it ("hosts must dynamically create the iframe using JavaScript, then
 *   dynamically submit it"), so the token never goes into a URL;
 * - removes the spent launch ticket, wdPreviousSession and wdPreviousCorrelation from the address
 *   bar with history.replaceState (the other wd* parameters are passed to the frame and stay);
 * - sends Host_PostmessageReady when the frame has loaded, Host_PerfTiming after App_LoadingStatus;
 * - takes messages only from the action URL's origin: App_LoadingStatus, UI_Close (to the
 *   session's return URL), UI_Sharing and UI_FileVersions (a dialog linking to the core app's page,
 *   with Blur_Focus/Grab_Focus around it, since a popup opened from a message would be blocked),
 *   UI_Edit (to the core app's edit page), File_Rename (the page title).
 */
export const HOST_PAGE_SCRIPT = `(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('host_config').textContent);
  var form = document.getElementById('office_form');
  var dialog = document.getElementById('host_dialog');
  var dialogTitle = document.getElementById('host_dialog_title');
  var dialogLink = document.getElementById('host_dialog_link');
  var loaded = false;
  var dialogOpen = false;

  var frame = document.createElement('iframe');
  frame.name = 'office_frame';
  frame.id = 'office_frame';
  frame.title = config.frameTitle;
  frame.setAttribute('allowfullscreen', 'true');
  frame.setAttribute('sandbox', 'allow-scripts allow-same-origin allow-forms allow-popups allow-top-navigation allow-popups-to-escape-sandbox allow-downloads allow-modals');
  frame.setAttribute('allow', 'clipboard-read; clipboard-write; fullscreen');
  frame.setAttribute('aria-busy', 'true');
  var frameCreatedAt = Date.now();
  document.getElementById('frameholder').appendChild(frame);
  // Every load of the frame (the first one is about:blank, which drops the message: wrong origin).
  frame.addEventListener('load', function () { post('Host_PostmessageReady', {}); });
  form.submit();
  stripAddress();

  function post(messageId, values) {
    if (!frame.contentWindow) return;
    var message = { MessageId: messageId, SendTime: Date.now(), Values: values };
    frame.contentWindow.postMessage(JSON.stringify(message), config.actionOrigin);
  }

  function parse(data) {
    if (typeof data === 'string') {
      try { return JSON.parse(data); } catch (error) { return null; }
    }
    return data && typeof data === 'object' ? data : null;
  }

  window.addEventListener('message', function (event) {
    if (event.origin !== config.actionOrigin) return;
    var message = parse(event.data);
    if (!message || typeof message.MessageId !== 'string') return;
    var values = message.Values && typeof message.Values === 'object' ? message.Values : {};
    switch (message.MessageId) {
      case 'App_LoadingStatus': return onLoaded();
      case 'UI_Close': return onClose();
      case 'UI_Sharing': return openDialog(config.links.share, config.text.sharing);
      case 'UI_FileVersions': return openDialog(config.links.versions, config.text.versions);
      case 'UI_Edit': if (config.links.edit) window.location.assign(config.links.edit); return;
      case 'File_Rename': if (typeof values.NewName === 'string' && values.NewName) onRename(values.NewName); return;
      default: return;
    }
  });

  function onLoaded() {
    if (loaded) return;
    loaded = true;
    frame.setAttribute('aria-busy', 'false');
    document.body.setAttribute('data-editor-loaded', 'true');
    var navigation = performance.getEntriesByType ? performance.getEntriesByType('navigation')[0] : undefined;
    post('Host_PerfTiming', {
      Click: Math.round(performance.timeOrigin),
      Iframe: frameCreatedAt,
      HostFrameFetchStart: navigation ? Math.round(performance.timeOrigin + navigation.fetchStart) : 0,
      RedirectCount: navigation ? navigation.redirectCount : 0
    });
  }

  function onClose() {
    if (config.returnUrl) {
      window.location.assign(config.returnUrl);
      return;
    }
    frame.parentNode.removeChild(frame);
    document.getElementById('host_closed').hidden = false;
  }

  function openDialog(url, text) {
    if (!url || dialogOpen) return;
    dialogOpen = true;
    dialogTitle.textContent = text.title;
    dialogLink.textContent = text.link;
    dialogLink.href = url;
    dialog.hidden = false;
    if (loaded) post('Blur_Focus', {});
    dialogLink.focus();
  }

  function closeDialog() {
    if (!dialogOpen) return;
    dialogOpen = false;
    dialog.hidden = true;
    if (loaded) post('Grab_Focus', {});
  }

  document.getElementById('host_dialog_close').addEventListener('click', closeDialog);
  dialogLink.addEventListener('click', function () { setTimeout(closeDialog, 0); });
  document.addEventListener('keydown', function (event) { if (event.key === 'Escape') closeDialog(); });

  function onRename(newName) {
    var name = newName;
    var extension = config.extension;
    if (extension && name.slice(-extension.length).toLowerCase() !== extension.toLowerCase()) name += extension;
    document.title = name + ' - ' + config.tenantName;
  }

  function stripAddress() {
    if (!window.history || !window.history.replaceState) return;
    var search = window.location.search.replace(/^\\?/, '');
    if (!search) return;
    var kept = search.split('&').filter(function (part) {
      var name;
      try { name = decodeURIComponent(part.split('=')[0].replace(/\\+/g, ' ')); } catch (error) { return true; }
      return config.stripParameters.indexOf(name) === -1;
    });
    var address = window.location.pathname + (kept.length ? '?' + kept.join('&') : '') + window.location.hash;
    window.history.replaceState(window.history.state, '', address);
  }
})();`;
