/**
 * A stand-in WOPI client for end-to-end tests: a real HTTP server on a free loopback port that
 * serves a discovery document (keys and actions of the test's choosing, fetches counted) and an
 * "editor" action endpoint that records the access_token/access_token_ttl a host page POSTs to it
 * and talks to the host page over PostMessage like a WOPI client's frame.
 */
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PrismaClient, WopiClientKind } from '@wopi/db';
import { proofSignedBytes, toDotNetTicks, WopiHeader } from '@wopi/wopi';

export interface ProofKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function generateProofKeyPair(): ProofKeyPair {
  return generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
}

export interface StandInAction {
  /** view, edit, embedview, ... */
  name: string;
  ext: string;
  /** urlsrc; `{base}` is replaced by the stand-in's own URL. */
  urlsrc: string;
}

export interface StandInDiscovery {
  current?: ProofKeyPair;
  old?: ProofKeyPair;
  actions: StandInAction[];
  /** Served as the app's favIconUrl when set; `{base}` is replaced. */
  favIconUrl?: string;
}

/** One form POST the editor endpoint received. */
export interface EditorLaunchRecord {
  path: string;
  query: URLSearchParams;
  contentType: string | undefined;
  fields: URLSearchParams;
}

export interface WopiClientStandIn {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  discoveryUrl: string;
  /** How many times the discovery document was fetched. */
  discoveryFetches(): number;
  setDiscovery(discovery: StandInDiscovery): void;
  /** Serves this text instead of the generated document (undefined: back to the generated one). */
  setRawDiscovery(xml: string | undefined): void;
  /** While false, discovery answers 503 (the client is down). */
  setDiscoveryAvailable(available: boolean): void;
  /** Every form POST to /editor/*, in order. */
  launches: EditorLaunchRecord[];
  /** Messages the editor frame received from its host page, as the frame reported them. */
  hostMessages: { MessageId: string; origin: string }[];
  /** The origin the editor frame posts its messages to (the gateway's, its PostMessageOrigin). */
  setHostOrigin(origin: string): void;
  /** Lets the editor frame post UI_Close (it waits for this, so a test can look at the page first). */
  releaseClose(): void;
  close(): Promise<void>;
}

/** A standard urlsrc pointing at the stand-in editor, with placeholders as Office publishes them. */
export const STAND_IN_URLSRC = '{base}/editor/{name}?<ui=UI_LLCC&><rs=DC_LLCC&><hid=HOST_SESSION_ID&><e=EMBEDDED&>';

export async function startWopiClientStandIn(initial: StandInDiscovery): Promise<WopiClientStandIn> {
  let discovery = initial;
  let fetches = 0;
  let discoveryAvailable = true;
  let rawDiscovery: string | undefined;
  let hostOrigin = 'http://invalid.invalid';
  let closeReleased = false;
  const launches: EditorLaunchRecord[] = [];
  const hostMessages: { MessageId: string; origin: string }[] = [];
  let baseUrl = '';

  const server: Server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      response.statusCode = 500;
      response.end(String(error));
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', baseUrl);
    if (request.method === 'GET' && url.pathname === '/hosting/discovery') {
      fetches += 1;
      if (!discoveryAvailable) {
        response.statusCode = 503;
        response.end();
        return;
      }
      response.setHeader('content-type', 'text/xml; charset=utf-8');
      response.end(rawDiscovery ?? discoveryXml(discovery, baseUrl));
      return;
    }
    if (request.method === 'POST' && url.pathname.startsWith('/editor/')) {
      const body = await readBody(request);
      launches.push({
        path: url.pathname,
        query: url.searchParams,
        contentType: request.headers['content-type'],
        fields: new URLSearchParams(body),
      });
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end(editorPage(hostOrigin));
      return;
    }
    if (request.method === 'POST' && url.pathname === '/editor-messages') {
      hostMessages.push(JSON.parse(await readBody(request)) as { MessageId: string; origin: string });
      response.statusCode = 204;
      response.end();
      return;
    }
    if (request.method === 'GET' && url.pathname === '/editor-close') {
      response.setHeader('content-type', 'application/json');
      response.setHeader('cache-control', 'no-store');
      response.end(JSON.stringify({ close: closeReleased }));
      return;
    }
    if (request.method === 'GET' && url.pathname.startsWith('/core-app/')) {
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end('<!doctype html><title>Core app</title><h1>Back in the core app</h1>');
      return;
    }
    if (request.method === 'GET' && url.pathname === '/favicon.ico') {
      response.setHeader('content-type', 'image/svg+xml');
      response.end('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>');
      return;
    }
    response.statusCode = 404;
    response.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    discoveryUrl: `${baseUrl}/hosting/discovery`,
    discoveryFetches: () => fetches,
    setDiscovery: (next) => (discovery = next),
    setDiscoveryAvailable: (available) => (discoveryAvailable = available),
    setRawDiscovery: (xml) => (rawDiscovery = xml),
    launches,
    hostMessages,
    setHostOrigin: (origin) => (hostOrigin = origin),
    releaseClose: () => (closeReleased = true),
    close: () => {
      // Idempotent: a test may stop the client early to see the gateway without it.
      if (!server.listening) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      });
    },
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

const xmlAttribute = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Base64 big-endian RSA parameters, as discovery publishes `modulus`/`exponent`. */
function rsaParameters(key: KeyObject): { modulus: string; exponent: string } {
  const jwk = key.export({ format: 'jwk' });
  return {
    modulus: Buffer.from(jwk.n!, 'base64url').toString('base64'),
    exponent: Buffer.from(jwk.e!, 'base64url').toString('base64'),
  };
}

export function discoveryXml(discovery: StandInDiscovery, baseUrl: string): string {
  const fill = (template: string, name = '') => template.replace('{base}', baseUrl).replace('{name}', name);
  const actions = discovery.actions
    .map(
      (action) =>
        `      <action name="${xmlAttribute(action.name)}" ext="${xmlAttribute(action.ext)}" urlsrc="${xmlAttribute(fill(action.urlsrc, action.name))}" />`,
    )
    .join('\n');
  const favicon = discovery.favIconUrl ? ` favIconUrl="${xmlAttribute(fill(discovery.favIconUrl))}"` : '';
  let proofKey = '';
  if (discovery.current) {
    const current = rsaParameters(discovery.current.publicKey);
    const old = discovery.old ? rsaParameters(discovery.old.publicKey) : undefined;
    proofKey =
      `  <proof-key modulus="${current.modulus}" exponent="${current.exponent}"` +
      (old ? ` oldmodulus="${old.modulus}" oldexponent="${old.exponent}"` : '') +
      ' />\n';
  }
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n<wopi-discovery>\n  <net-zone name="external-http">\n' +
    `    <app name="StandIn"${favicon} checkLicense="false">\n${actions}\n    </app>\n  </net-zone>\n${proofKey}</wopi-discovery>\n`
  );
}

/**
 * Proof headers for a WOPI request, as a client signs it (proofkeys.rst): X-WOPI-Proof with `proof`,
 * X-WOPI-ProofOld with `proofOld` (when given), over the token, the full URL and the timestamp.
 */
export function proofHeaders(input: {
  accessToken: string;
  url: string;
  proof: KeyObject;
  proofOld?: KeyObject;
  timestampMs?: number;
}): Record<string, string> {
  const timestampTicks = toDotNetTicks(input.timestampMs ?? Date.now());
  const data = proofSignedBytes({ accessToken: input.accessToken, url: input.url, timestampTicks });
  return {
    [WopiHeader.Proof]: sign('sha256', data, input.proof).toString('base64'),
    ...(input.proofOld ? { [WopiHeader.ProofOld]: sign('sha256', data, input.proofOld).toString('base64') } : {}),
    [WopiHeader.TimeStamp]: timestampTicks.toString(),
  };
}

/**
 * The editor frame's page: like a WOPI client's frame it waits for Host_PostmessageReady, then
 * posts App_LoadingStatus; it renames the file and opens the sharing UI (File_Rename, UI_Sharing)
 * to exercise the host page; it reports every message it gets from the host to the stand-in; and
 * it posts UI_Close once the test released it. Messages go to the host origin only, never '*'.
 */
function editorPage(hostOrigin: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Stand-in editor</title>
<style>body { font-family: sans-serif; background: #eef3fb; margin: 0; padding: 2rem; } h1 { color: #2b579a; }</style>
</head><body><h1>Stand-in WOPI editor</h1><p id="state">waiting for the host page</p>
<script>
  var hostOrigin = ${JSON.stringify(hostOrigin)};
  function send(id, values) {
    window.parent.postMessage(JSON.stringify({ MessageId: id, SendTime: Date.now(), Values: values || {} }), hostOrigin);
  }
  var started = false;
  window.addEventListener('message', function (event) {
    var message = JSON.parse(event.data);
    fetch('/editor-messages', { method: 'POST', body: JSON.stringify({ MessageId: message.MessageId, origin: event.origin }) });
    if (event.origin !== hostOrigin || message.MessageId !== 'Host_PostmessageReady' || started) return;
    started = true;
    document.getElementById('state').textContent = 'loaded';
    send('App_LoadingStatus', { DocumentLoadedTime: Date.now() });
    send('File_Rename', { NewName: 'Renamed by the editor' });
    send('UI_Sharing');
    var poll = setInterval(function () {
      fetch('/editor-close', { cache: 'no-store' }).then(function (r) { return r.json(); }).then(function (answer) {
        if (!answer.close) return;
        clearInterval(poll);
        send('UI_Close');
      });
    }, 100);
  });
</script></body></html>`;
}

/** Makes a WOPI-client profile the tenant's default (what the admin API will do). */
export async function addDefaultWopiClient(
  prisma: PrismaClient,
  tenantId: string,
  profile: {
    discoveryUrl: string;
    proofKeysRequired: boolean;
    kind?: WopiClientKind;
    name?: string;
    behaviour?: Record<string, string | number | boolean>;
  },
): Promise<{ id: string }> {
  return prisma.wopiClientProfile.create({
    data: {
      tenantId,
      name: profile.name ?? 'stand-in',
      kind: profile.kind ?? 'COLLABORA',
      discoveryUrl: profile.discoveryUrl,
      proofKeysRequired: profile.proofKeysRequired,
      isDefault: true,
      behaviour: profile.behaviour ?? {},
    },
    select: { id: true },
  });
}
