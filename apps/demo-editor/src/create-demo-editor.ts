import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { DemoEditorConfig } from './config/demo-editor.config';
import { discoveryDocument } from './discovery/discovery-document';
import { DemoEditorError, DemoEditorErrorCode } from './editor/demo-editor.error';
import { renderEditorPage } from './editor/editor-page';
import { EditorSessions } from './editor/editor-sessions';
import { ProofKeyPairStore } from './proof-keys/proof-key-pair-store';
import { renderValidatorPage } from './validator/validator-page';
import { ValidatorRuns } from './validator/validator-runs';
import { WopiClient, type WopiTarget } from './wopi/wopi-client';

const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#2b579a"/>' +
  '<path d="M8 9h16M8 15h16M8 21h10" stroke="#fff" stroke-width="3" stroke-linecap="round"/></svg>';

/**
 * The demo editor: a small WOPI client. It publishes its discovery document and proof keys, serves
 * the editor page that host pages POST access tokens to, and makes the page's WOPI calls itself,
 * signed (the private keys never leave this process).
 */
export async function createDemoEditor(config: DemoEditorConfig): Promise<FastifyInstance> {
  // Request logs carry method and URL only: the launch form's access token is in the body, which
  // Fastify never logs, and the page's API calls name an editor session, not a token.
  const app = Fastify({ logger: { level: config.logLevel, base: { service: 'demo-editor' } } });
  const keys = new ProofKeyPairStore(config.keysDir);
  const sessions = new EditorSessions(new WopiClient(keys, config.wopiTimeoutMs), config.staleAfterMs);
  const validator = new ValidatorRuns(config.validatorCli);
  const sweeper = setInterval(() => void sessions.sweep(), Math.max(1000, config.staleAfterMs / 2));
  sweeper.unref();
  app.addHook('onClose', async () => {
    clearInterval(sweeper);
    validator.stopAll();
    await sessions.closeAll();
  });

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof DemoEditorError) {
      return reply.code(error.status).send({ error: { code: error.code, message: error.message } });
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply
        .code(status)
        .send({ error: { code: DemoEditorErrorCode.BadRequest, message: (error as Error).message } });
    }
    request.log.error({ err: error }, 'unexpected error');
    return reply.code(500).send({ error: { code: 'internal_error', message: 'Unexpected error; see the editor log' } });
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/hosting/discovery', async (request, reply) => {
    const publicUrl = config.publicUrl ?? `${request.protocol}://${request.host}`;
    return reply.type('text/xml; charset=utf-8').send(discoveryDocument({ publicUrl, keys: keys.published() }));
  });

  app.get('/favicon.svg', async (_request, reply) =>
    reply.type('image/svg+xml').header('cache-control', 'max-age=86400').send(FAVICON),
  );

  // The action URL: the host page POSTs access_token and access_token_ttl here (hostpage.rst).
  app.post<{ Params: { action: string }; Querystring: Record<string, string | undefined>; Body: unknown }>(
    '/editor/:action',
    async (request, reply) => {
      const action = request.params.action;
      if (action !== 'view' && action !== 'edit') {
        throw new DemoEditorError(DemoEditorErrorCode.BadRequest, `no action "${action}" (view or edit)`);
      }
      const { target, wopiOrigin } = launchOf(request.query, request.body);
      const sessionId = sessions.start(target, action);
      const nonce = randomBytes(16).toString('base64');
      return reply
        .type('text/html; charset=utf-8')
        .headers(pageHeaders(nonce, wopiOrigin))
        .send(
          renderEditorPage({
            nonce,
            title: 'Demo editor',
            config: {
              sessionId,
              action,
              pollMs: config.pollMs,
              refreshLockMs: config.refreshLockMs,
            },
          }),
        );
    },
  );

  // The WOPI validator's frame, where its discovery points when the demo serves it with
  // --base-url <this editor>/validator/ (its urlsrc is <base>wopitest/WopiTestFrame.aspx).
  app.post<{ Querystring: Record<string, string | undefined>; Body: unknown }>(
    '/validator/wopitest/WopiTestFrame.aspx',
    async (request, reply) => {
      const { target, wopiOrigin } = launchOf(request.query, request.body);
      const frameId = validator.open(target);
      const nonce = randomBytes(16).toString('base64');
      return reply
        .type('text/html; charset=utf-8')
        .headers(pageHeaders(nonce, wopiOrigin))
        .send(
          renderValidatorPage({
            nonce,
            frameId,
            wopiSrc: target.wopiSrc,
            hostOrigin: wopiOrigin,
            available: validator.available,
          }),
        );
    },
  );
  app.get<{ Params: { id: string } }>('/api/validator-frames/:id', async (request) =>
    validator.state(request.params.id),
  );
  app.post<{ Params: { id: string } }>('/api/validator-frames/:id/run', async (request) =>
    validator.start(request.params.id),
  );

  // The page's calls; each makes the WOPI calls of its step and answers the editor's state.
  type Api = { Params: { id: string }; Body: unknown };
  app.post<Api>('/api/sessions/:id/open', async (request) => sessions.open(request.params.id));
  app.post<Api>('/api/sessions/:id/poll', async (request) =>
    sessions.poll(request.params.id, (request.body as { reloadIfChanged?: unknown } | null)?.reloadIfChanged === true),
  );
  app.post<Api>('/api/sessions/:id/refresh-lock', async (request) => sessions.refreshLock(request.params.id));
  app.post<Api>('/api/sessions/:id/save', async (request) => {
    const fields = (request.body as { fields?: unknown } | null)?.fields;
    if (!fields || typeof fields !== 'object' || Object.values(fields).some((text) => typeof text !== 'string')) {
      throw new DemoEditorError(DemoEditorErrorCode.BadRequest, 'fields must map field ids to their new text');
    }
    return sessions.save(request.params.id, fields as Record<string, string>);
  });
  app.post<Api>('/api/sessions/:id/close', async (request) => sessions.close(request.params.id));

  return app;
}

/** The WOPISrc and token a host page's form POST brings (hostpage.rst), or a 400. */
function launchOf(
  query: Record<string, string | undefined>,
  body: unknown,
): { target: WopiTarget; wopiOrigin: string } {
  const wopiSrc = query.WOPISrc;
  const form = (body ?? {}) as Record<string, string | undefined>;
  const wopiOrigin = wopiSrc ? httpOrigin(wopiSrc) : undefined;
  if (!wopiSrc || !wopiOrigin) {
    throw new DemoEditorError(DemoEditorErrorCode.BadRequest, 'WOPISrc must be the http(s) URL of a WOPI file');
  }
  if (!form.access_token) {
    throw new DemoEditorError(
      DemoEditorErrorCode.BadRequest,
      'no access_token: open documents through a host page, which POSTs it here',
    );
  }
  return {
    target: { wopiSrc, accessToken: form.access_token, accessTokenTtl: form.access_token_ttl ?? '0' },
    wopiOrigin,
  };
}

/**
 * Headers of a frame page: never cached (it was made for one token), scripts and styles only with
 * the page's nonce, calls only to this server, framed only by the host (the WOPISrc's origin).
 */
function pageHeaders(nonce: string, hostOrigin: string): Record<string, string> {
  return {
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'content-security-policy':
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; ` +
      `img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self' ${hostOrigin}`,
  };
}

function httpOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}
