import { closeConnectionsOnceIdle } from '@wopi/telemetry';
import Fastify, { FastifyInstance } from 'fastify';
import { AddressInfo } from 'node:net';
import { DemoCoreConfig } from './config/demo-core.config';
import { controlRoutes } from './control/control.routes';
import { FaultInjectionHook } from './control/fault-injection.hook';
import { FaultInjector } from './control/fault-injector';
import { RequestLog } from './control/request-log';
import { DocumentStore } from './documents/document.store';
import { DocumentsService } from './documents/documents.service';
import { CoreHeader } from './http/core-header';
import { registerErrorHandling } from './http/error-handling';
import { fileContentRoutes } from './http/file-content.routes';
import { filesRoutes } from './http/files.routes';
import { healthRoutes } from './http/health.routes';
import { siblingsRoutes } from './http/siblings.routes';
import { ReplayGuard } from './http/replay-guard';
import { signatureAuthHook } from './http/signature-auth.hook';
import { acceptVerifiedJson, requireVerifiedOrEmptyBody } from './http/signed-body';
import { usersRoutes } from './http/users.routes';
import { GatewaySessions } from './pages/gateway-sessions';
import { PageSessions } from './pages/page-session';
import { pagesRoutes } from './pages/pages.routes';
import { seedSampleDocuments } from './samples/seed-sample-documents';
import { ShareStore } from './sharing/share-store';
import { UiLinks } from './ui/ui-links';
import { uiRoutes } from './ui/ui.routes';
import { findDemoUser, SAMPLE_OWNER_ID } from './users/demo-users';

/** Version 1 of the core-app contract; a later contract version gets its own prefix beside it. */
export const API_V1_PREFIX = '/core/v1';
/** Test switches (DEMO_CORE_FAULTS=enabled only). */
export const CONTROL_PREFIX = '/_control';

export interface CreateDemoCoreOptions {
  /** Told about every route as it is registered (the contract test compares them with the OpenAPI file). */
  readonly onRoute?: (method: string, url: string) => void;
}

// 00-<trace id>-<parent span id>-<flags> (W3C Trace Context, version 00).
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/**
 * Builds demo-core (not listening): opens the data directory, seeds it when it is new, and
 * registers the routes. main.ts and the e2e tests both start from here.
 */
export async function createDemoCore(
  config: DemoCoreConfig,
  options: CreateDemoCoreOptions = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: config.logLevel,
      base: { service: 'demo-core' },
      // Fastify's serializers do not log headers; this keeps it so if someone adds them.
      redact: {
        paths: ['req.headers["x-gateway-signature"]', 'headers["x-gateway-signature"]'],
        censor: '[redacted]',
      },
    },
    // The gateway sends its request ID, so one ID follows a call across both logs.
    requestIdHeader: CoreHeader.RequestId,
    // Every log line of a request carries the gateway's trace, to find it in the gateway's traces.
    childLoggerFactory: (logger, bindings, childOptions, rawRequest) =>
      logger.child({ ...bindings, ...traceBindings(rawRequest.headers[CoreHeader.TraceParent]) }, childOptions),
    // HEAD only where the contract has it (content); an automatic HEAD would read the whole body.
    exposeHeadRoutes: false,
    // Applies to any body a route lets Fastify buffer; content uploads are streamed and
    // bounded by the same limit in DocumentsService instead.
    bodyLimit: config.maxUploadBytes,
  });
  // Its own shutdown is as graceful as the gateway's: tests and the demo close it right after a
  // download, whose keep-alive connection would otherwise hold close() up for 72 s.
  closeConnectionsOnceIdle(app);
  if (options.onRoute !== undefined) {
    const onRoute = options.onRoute;
    app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) onRoute(method, route.url);
    });
  }

  try {
    const store = await DocumentStore.open(config.dataDir);
    if (store.isEmpty) {
      const owner = findDemoUser(SAMPLE_OWNER_ID);
      if (owner === undefined) throw new Error(`sample owner ${SAMPLE_OWNER_ID} is not a demo user`);
      const seeded = await seedSampleDocuments(store, owner);
      app.log.info({ dataDir: config.dataDir, files: seeded.map((record) => record.name) }, 'seeded sample documents');
    }
    const links = new UiLinks(() => config.publicUrl ?? listeningUrl(app, config));
    const documents = new DocumentsService(store, config.maxUploadBytes, links, await ShareStore.open(config.dataDir));
    const signed = signatureAuthHook({
      secrets:
        config.previousApiSecret === undefined ? [config.apiSecret] : [config.apiSecret, config.previousApiSecret],
      seen: new ReplayGuard(),
    });
    const faults = new FaultInjector();
    const requestLog = new RequestLog();
    const faultHook = new FaultInjectionHook(faults, requestLog);

    registerErrorHandling(app);
    app.addHook('onSend', async (request, reply) => {
      void reply.header(CoreHeader.RequestId, request.id);
    });

    await app.register(healthRoutes);
    await app.register(uiRoutes, { documents });
    await app.register(pagesRoutes, {
      documents,
      sessions: new PageSessions(config.apiSecret),
      gateway: new GatewaySessions(config.gateway),
      ...(config.gateway === undefined ? {} : { gatewayOrigin: new URL(config.gateway.url).origin }),
    });
    await app.register(
      async (api) => {
        if (config.faultsEnabled) {
          // First, so that requests refused by the signature check are logged too.
          api.addHook('onRequest', async (request, reply) => requestLog.start(request, reply));
          api.addHook('onSend', async (request, reply) => requestLog.noteAnswer(request, reply));
        }
        api.addHook('onRequest', signed);
        if (config.faultsEnabled) {
          api.addHook('onRequest', faultHook.onRequest);
          api.addHook('onSend', faultHook.onSend);
        }
        api.addHook('preHandler', requireVerifiedOrEmptyBody);
        acceptVerifiedJson(api);
        await api.register(filesRoutes, { documents });
        await api.register(fileContentRoutes, { documents });
        await api.register(siblingsRoutes, { documents });
        await api.register(usersRoutes);
      },
      { prefix: API_V1_PREFIX },
    );
    if (config.faultsEnabled) {
      app.log.warn('test switches are enabled under /_control (DEMO_CORE_FAULTS=enabled)');
      await app.register(
        async (control) => {
          control.addHook('onRequest', signed);
          control.addHook('preHandler', requireVerifiedOrEmptyBody);
          await control.register(controlRoutes, { documents, faults, requestLog });
        },
        { prefix: CONTROL_PREFIX },
      );
      // A hung request never ends by itself; without this, close() would wait for it forever.
      app.addHook('preClose', async () => faultHook.releaseAll());
    }
    return app;
  } catch (error) {
    await app.close();
    throw error;
  }
}

function traceBindings(header: string | string[] | undefined): Record<string, string> {
  const match = typeof header === 'string' ? TRACEPARENT.exec(header) : null;
  return match === null ? {} : { traceId: match[1], parentSpanId: match[2] };
}

/** http://host:port the server listens on; wildcard addresses become loopback. */
function listeningUrl(app: FastifyInstance, config: DemoCoreConfig): string {
  const address = app.server.address() as AddressInfo | null;
  const host = address?.address ?? config.host;
  const port = address?.port ?? config.port;
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}
