import { type Span, trace } from '@opentelemetry/api';
import type { PrismaService } from '@wopi/db';
import { type ClientCountryResolver, wopiMetrics } from '@wopi/telemetry';
import { identifyWopiOperation, type WopiRequestPath } from '@wopi/wopi';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { TrafficEvent } from './traffic/traffic-recorder.service';
import type { WopiContext } from './wopi/wopi-context';

/** Per-request facts the hooks pass from onRequest to onResponse. */
interface RequestTelemetry {
  span?: Span;
  wopiOperation?: string;
  country?: string;
  /** A session the session API opened (read from its answer). */
  openedSession?: { fileId: string; action: string };
}

/** The parts of Fastify's request and reply the hooks read (the api and Nest hold two Fastify copies). */
interface TracedRequest {
  id: string;
  url: string;
  method: string;
  ip: string;
  headers: IncomingHttpHeaders;
  raw: IncomingMessage;
  routeOptions: { url?: string };
  wopi?: WopiContext;
  /** Set by the session API's key guard. */
  tenant?: { id: string };
  telemetry?: RequestTelemetry;
}
interface SentReply {
  statusCode: number;
  elapsedTime: number;
  hasHeader(name: string): boolean;
}

/** The part of the api's Fastify instance the hooks need. */
export interface HookHost {
  addHook(name: 'onRequest', hook: (request: TracedRequest) => Promise<void>): unknown;
  addHook(
    name: 'onSend',
    hook: (request: TracedRequest, reply: SentReply, payload: unknown) => Promise<unknown>,
  ): unknown;
  addHook(name: 'onResponse', hook: (request: TracedRequest, reply: SentReply) => Promise<void>): unknown;
}

export interface RequestTelemetryDeps {
  country: ClientCountryResolver;
  prisma: PrismaService;
  /** The root pino logger (nestjs-pino creates it while the app initialises). */
  logger: () => Logger | undefined;
  /** The roll-out traffic records (one call per WOPI request and per opened session). */
  traffic?: { record(event: TrafficEvent): void };
}

const UNTRACED = /^\/(?:healthz|readyz)(?:[?/]|$)/;
const WOPI_FILES = /^\/wopi\/files\/[^/?]+(\/contents)?(?:\?|$)/;
const SESSIONS_ROUTE = '/api/v1/sessions';
const EDIT_ACTIONS = new Set(['edit', 'editnew']);
const LOCK_OPERATIONS = new Set([
  'Lock',
  'UnlockAndRelock',
  'RefreshLock',
  'Unlock',
  'PutFile',
  'RenameFile',
  'DeleteFile',
]);

/**
 * The api's whole per-request observability, as two Fastify hooks instead of per-request
 * middleware: the server span gets its route name and WOPI operation, and when the answer is
 * sent one log line and the `wopi.request.duration` point are written from what the WOPI guard
 * resolved (request.wopi). Request handlers record nothing themselves.
 */
export function installRequestTelemetry(fastify: HookHost, deps: RequestTelemetryDeps): void {
  const extensions = new FileExtensions(deps.prisma);

  fastify.addHook('onRequest', async (request: TracedRequest) => {
    if (UNTRACED.test(request.url)) return;
    const telemetry: RequestTelemetry = { span: trace.getActiveSpan() };
    const route = request.routeOptions.url;
    if (telemetry.span && route) {
      telemetry.span.setAttribute('http.route', route);
      telemetry.span.updateName(`${request.method} ${route}`);
    }
    const wopiPath = WOPI_FILES.exec(request.url);
    if (wopiPath) {
      const path: WopiRequestPath = wopiPath[1] ? 'contents' : 'files';
      telemetry.wopiOperation = identifyWopiOperation(request.method, path, request.headers) ?? 'unknown';
      telemetry.span?.setAttribute('wopi.operation', telemetry.wopiOperation);
    }
    if (deps.country.enabled) telemetry.country = deps.country.countryOf(request.headers, request.ip);
    request.telemetry = telemetry;
  });

  // The session API's answer names the file and action of the session it opened.
  fastify.addHook('onSend', async (request: TracedRequest, reply: SentReply, payload: unknown) => {
    if (
      request.telemetry &&
      reply.statusCode === 201 &&
      request.routeOptions.url === SESSIONS_ROUTE &&
      typeof payload === 'string'
    ) {
      try {
        const answer = JSON.parse(payload) as { fileId?: unknown; action?: unknown };
        if (typeof answer.fileId === 'string' && typeof answer.action === 'string')
          request.telemetry.openedSession = { fileId: answer.fileId, action: answer.action };
      } catch {
        // Not the JSON answer expected: not counted.
      }
    }
    return payload;
  });

  fastify.addHook('onResponse', async (request: TracedRequest, reply: SentReply) => {
    const telemetry = request.telemetry;
    if (!telemetry) return;
    const seconds = reply.elapsedTime / 1000;
    const wopi = request.wopi;
    if (telemetry.wopiOperation) {
      const extension = wopi ? await extensions.of(wopi.fileId) : undefined;
      const access = wopi ? (wopi.permissions.write ? 'edit' : 'view') : undefined;
      wopiMetrics.requestDuration(seconds, {
        'wopi.operation': telemetry.wopiOperation,
        'wopi.tenant': wopi?.tenant.slug,
        'wopi.client': wopi?.tenant.wopiClient?.name,
        'wopi.file.extension': extension,
        'wopi.access': access,
        'http.response.status_code': reply.statusCode,
        'error.type': reply.statusCode >= 400 ? String(reply.statusCode) : undefined,
        'geo.country.iso_code': telemetry.country,
      });
      // A refused lock names the current lock in X-WOPI-Lock (Lock.rst); other 409s do not.
      if (
        wopi &&
        reply.statusCode === 409 &&
        LOCK_OPERATIONS.has(telemetry.wopiOperation) &&
        reply.hasHeader('x-wopi-lock')
      )
        wopiMetrics.lockConflict({ 'wopi.operation': telemetry.wopiOperation, 'wopi.tenant': wopi.tenant.slug });
      if (wopi)
        deps.traffic?.record({
          tenantId: wopi.tenant.id,
          kind: 'wopi',
          operation: telemetry.wopiOperation,
          access,
          extension,
          country: telemetry.country,
        });
    }
    const session = telemetry.openedSession;
    if (session && reply.statusCode === 201 && request.tenant) {
      deps.traffic?.record({
        tenantId: request.tenant.id,
        kind: 'session',
        operation: session.action,
        access: EDIT_ACTIONS.has(session.action) ? 'edit' : 'view',
        extension: await extensions.of(session.fileId),
        country: telemetry.country,
      });
    }
    logResponse(deps.logger(), request, reply, telemetry, seconds);
  });
}

function logResponse(
  logger: Logger | undefined,
  request: TracedRequest,
  reply: SentReply,
  telemetry: RequestTelemetry,
  seconds: number,
): void {
  if (!logger) return;
  const status = reply.statusCode;
  const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const spanContext = telemetry.span?.spanContext();
  logger[level](
    {
      // The hook runs outside the request's context, so the trace ids are added here.
      ...(spanContext ? { traceId: spanContext.traceId, spanId: spanContext.spanId } : {}),
      // The logger's req serializer (logging.ts) picks the fields and redacts the URL.
      req: request.raw,
      // pino-http's response serializer reports the status only of a response whose headers were
      // sent (null otherwise); this one was answered.
      res: { statusCode: status, headersSent: true },
      responseTime: Math.round(seconds * 1000),
      ...(telemetry.wopiOperation ? { wopiOperation: telemetry.wopiOperation } : {}),
      ...(request.wopi ? { tenant: request.wopi.tenant.slug, fileId: request.wopi.fileId } : {}),
    },
    'request completed',
  );
}

const EXTENSION_CACHE_SIZE = 10_000;

/**
 * File extensions by file id, for metric attributes: the WOPI context carries the id, not the
 * name. One indexed read per file and process, then from memory (a rename keeps the extension in
 * practice; the metric tolerates the odd stale one).
 */
class FileExtensions {
  private readonly known = new Map<string, string>();

  constructor(private readonly prisma: PrismaService) {}

  async of(fileId: string): Promise<string | undefined> {
    const cached = this.known.get(fileId);
    if (cached !== undefined) return cached || undefined;
    const file = await this.prisma.file.findUnique({ where: { id: fileId }, select: { name: true } }).catch(() => null);
    if (!file) return undefined;
    const match = /\.([A-Za-z0-9]{1,10})$/.exec(file.name);
    const extension = match ? match[1].toLowerCase() : '';
    if (this.known.size >= EXTENSION_CACHE_SIZE) this.known.delete(this.known.keys().next().value!);
    this.known.set(fileId, extension);
    return extension || undefined;
  }
}
