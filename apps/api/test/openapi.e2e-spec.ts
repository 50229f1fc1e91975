/**
 * The OpenAPI document is generated from the code and kept in step with the routes: every route
 * the api registers (but the WOPI protocol's and the document's own) is in it, and nothing else.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../src/create-app';
import { testApiEnv } from '../../../test/support/gateway-env';

/** Not the gateway's own API (WOPI) or the document itself. */
const NOT_DOCUMENTED = [/^\/wopi\//, /^\/docs(\/|$)/, /^\/openapi\.json$/];

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; requestBody?: { content: Record<string, unknown> } }>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
}

describe('OpenAPI document', () => {
  let app: NestFastifyApplication;
  const registered = new Set<string>();

  beforeAll(async () => {
    app = await createApp(testApiEnv());
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onRoute', (route) => {
        const methods = Array.isArray(route.method) ? route.method : [route.method];
        // Nest registers `:param`; OpenAPI writes `{param}`. Fastify adds HEAD for every GET itself.
        const url = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
        for (const method of methods) if (method !== 'HEAD') registered.add(`${method} ${url}`);
      });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(() => app.close());

  async function document(): Promise<OpenApiDocument> {
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    return response.json() as OpenApiDocument;
  }

  it('is OpenAPI 3 and lists exactly the registered routes, but WOPI', async () => {
    const doc = await document();
    expect(doc.openapi).toMatch(/^3\./);
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`)),
    );
    const expected = [...registered].filter((route) => !NOT_DOCUMENTED.some((p) => p.test(route.split(' ')[1])));
    expect([...documented].sort()).toEqual(expected.sort());
  });

  it('lists every session and admin route', async () => {
    const doc = await document();
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(documented).toEqual(
      expect.arrayContaining([
        'POST /api/v1/sessions',
        'POST /api/v1/sessions/renew',
        'POST /api/v1/revocations',
        'POST /api/v1/conversions',
        'GET /api/v1/conversions/{id}',
        'POST /admin/v1/tenants',
        'GET /admin/v1/tenants',
        'GET /admin/v1/tenants/{slug}',
        'PATCH /admin/v1/tenants/{slug}',
        'DELETE /admin/v1/tenants/{slug}',
        'POST /admin/v1/tenants/{slug}/suspend',
        'POST /admin/v1/tenants/{slug}/resume',
        'POST /admin/v1/tenants/{slug}/core-app-secret',
        'POST /admin/v1/tenants/{slug}/client-profiles',
        'GET /admin/v1/tenants/{slug}/client-profiles',
        'PATCH /admin/v1/tenants/{slug}/client-profiles/{id}',
        'DELETE /admin/v1/tenants/{slug}/client-profiles/{id}',
        'POST /admin/v1/tenants/{slug}/api-keys',
        'GET /admin/v1/tenants/{slug}/api-keys',
        'POST /admin/v1/tenants/{slug}/api-keys/{keyId}/rotate',
        'DELETE /admin/v1/tenants/{slug}/api-keys/{keyId}',
        'POST /admin/v1/admin-keys',
        'GET /admin/v1/admin-keys',
        'POST /admin/v1/admin-keys/{keyId}/rotate',
        'DELETE /admin/v1/admin-keys/{keyId}',
        'GET /admin/v1/audit',
        'GET /admin/v1/tenants/{slug}/files',
        'GET /admin/v1/tenants/{slug}/files/{fileId}',
        'GET /admin/v1/tenants/{slug}/files/{fileId}/versions',
        'GET /admin/v1/tenants/{slug}/files/{fileId}/lock',
        'DELETE /admin/v1/tenants/{slug}/files/{fileId}/lock',
        'GET /admin/v1/write-backs/failed',
        'POST /admin/v1/write-backs/{jobId}/retry',
        'POST /admin/v1/write-backs/{jobId}/discard',
      ]),
    );
  });

  it('describes request bodies from the DTOs validation rules', async () => {
    const doc = await document();
    const createTenant = doc.paths['/admin/v1/tenants'].post.requestBody!.content['application/json'] as {
      schema: { $ref: string };
    };
    expect(createTenant.schema.$ref).toBe('#/components/schemas/CreateTenantDto');
    const schema = doc.components.schemas.CreateTenantDto;
    expect(schema.required).toEqual(expect.arrayContaining(['slug', 'displayName', 'coreApp']));
    expect(schema.properties!.coreApp).toEqual({ $ref: '#/components/schemas/CoreAppDto' });
    expect(doc.components.schemas.CreateSessionDto.required).toEqual(expect.arrayContaining(['fileRef', 'userId']));
    expect(doc.components.schemas.ApiErrorBody).toBeDefined();
    expect(Object.keys(doc.components.schemas.UpdateClientProfileDto.properties!)).toEqual(
      Object.keys(doc.components.schemas.CreateClientProfileDto.properties!),
    );
  });

  it('describes query parameters from the query DTOs', async () => {
    const doc = await document();
    const list = doc.paths['/admin/v1/tenants'].get as unknown as { parameters: { name: string; in: string }[] };
    expect(list.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(['query:limit', 'query:after']);
    const audit = doc.paths['/admin/v1/audit'].get as unknown as { parameters: { name: string }[] };
    expect(audit.parameters.map((p) => p.name).sort()).toEqual(['after', 'limit', 'tenant']);
  });

  it('serves a browsable UI at /docs from this server only (no CDN)', async () => {
    const page = await app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThan(2);
    for (const asset of assets) {
      expect(asset).not.toMatch(/^(https?:)?\/\//);
      const url = asset.startsWith('/') ? asset : `/docs/${asset.replace(/^\.\//, '')}`;
      const response = await app.inject({ method: 'GET', url });
      expect({ url, status: response.statusCode }).toEqual({ url, status: 200 });
    }
  });
});
