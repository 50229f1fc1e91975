import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { PrismaClient } from '@wopi/db';
import Redis from 'ioredis';
import { createApp } from '../src/create-app';
import type { SessionResponse } from '../src/session/create-session.dto';
import { startDemoCore, type RunningDemoCore } from '../../../test/support/demo-core';
import { type EditorSessionOptions, openEditorSession } from '../../../test/support/editor-session';
import { testApiEnv } from '../../../test/support/gateway-env';
import { createTestTenant, testPrisma, type TestTenant } from '../../../test/support/test-tenant';
import {
  addDefaultWopiClient,
  STAND_IN_URLSRC,
  startWopiClientStandIn,
  type StandInDiscovery,
  type WopiClientStandIn,
} from './support/wopi-client-stand-in';
import { waitFor } from '../../../test/support/wait-for';

const DOCX_ACTIONS: StandInDiscovery = {
  actions: [
    { name: 'view', ext: 'docx', urlsrc: STAND_IN_URLSRC },
    { name: 'edit', ext: 'docx', urlsrc: STAND_IN_URLSRC },
    { name: 'embedview', ext: 'docx', urlsrc: STAND_IN_URLSRC },
    {
      name: 'editnew',
      ext: 'docx',
      urlsrc: '{base}/editor/{name}?<ui=UI_LLCC&><IsLicensedUser=BUSINESS_USER&><dchat=DISABLE_CHAT&><perf=PERFSTATS&>',
    },
  ],
};

describe('WOPI discovery per client profile', () => {
  let core: RunningDemoCore;
  let prisma: PrismaClient;
  let redis: Redis;
  const apps: NestFastifyApplication[] = [];
  const standIns: WopiClientStandIn[] = [];

  async function newApp(): Promise<NestFastifyApplication> {
    const app = await createApp(testApiEnv());
    await app.init();
    apps.push(app);
    return app;
  }

  async function newStandIn(discovery: StandInDiscovery = DOCX_ACTIONS): Promise<WopiClientStandIn> {
    const standIn = await startWopiClientStandIn(discovery);
    standIns.push(standIn);
    return standIn;
  }

  async function tenantWithClient(
    standIn: WopiClientStandIn,
    options: { features?: Record<string, boolean>; behaviour?: Record<string, boolean> } = {},
  ): Promise<TestTenant & { profileId: string }> {
    const tenant = await createTestTenant(prisma, core);
    if (options.features)
      await prisma.tenant.update({ where: { id: tenant.id }, data: { features: options.features } });
    const profile = await addDefaultWopiClient(prisma, tenant.id, {
      discoveryUrl: standIn.discoveryUrl,
      proofKeysRequired: false,
      behaviour: options.behaviour,
    });
    return { ...tenant, profileId: profile.id };
  }

  async function open(
    app: NestFastifyApplication,
    tenant: TestTenant,
    name: string,
    extra: EditorSessionOptions = {},
  ): Promise<SessionResponse> {
    return openEditorSession(app, tenant, { fileRef: await core.refOf(name), userId: 'alice', ...extra });
  }

  beforeAll(async () => {
    core = await startDemoCore();
    prisma = testPrisma();
    redis = new Redis(process.env.REDIS_URL!);
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    for (const standIn of standIns) await standIn.close();
    await core.close();
    await prisma.$disconnect();
    redis.disconnect();
  });

  it('answers the action URL of the file type and action, placeholders filled or removed (discovery.rst)', async () => {
    const app = await newApp();
    const standIn = await newStandIn();
    const tenant = await tenantWithClient(standIn);

    const edit = await open(app, tenant, 'Welcome.docx', { locale: 'de-DE' });
    expect(edit.actionUrl).toBe(
      `${standIn.baseUrl}/editor/edit?ui=de-DE&rs=de-DE&hid=${edit.sessionId}&WOPISrc=${encodeURIComponent(edit.wopiSrc)}`,
    );
    // No locale: the language placeholders are removed, the client uses the browser's.
    const view = await open(app, tenant, 'Welcome.docx', { action: 'view' });
    expect(view.actionUrl).toBe(
      `${standIn.baseUrl}/editor/view?hid=${view.sessionId}&WOPISrc=${encodeURIComponent(view.wopiSrc)}`,
    );
    const embedded = await open(app, tenant, 'Welcome.docx', { action: 'embedview' });
    expect(new URL(embedded.actionUrl!).searchParams.get('e')).toBe('true');
    expect(new URL(embedded.actionUrl!).pathname).toBe('/editor/embedview');
  });

  it('marks business users and switches chat off as the tenant and profile say', async () => {
    const app = await newApp();
    const standIn = await newStandIn();
    const business = await tenantWithClient(standIn, { features: { businessUserFlow: true, coauthoring: false } });
    const url = new URL((await open(app, business, 'Welcome.docx', { action: 'editnew', locale: 'fr-FR' })).actionUrl!);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      ui: 'fr-FR',
      IsLicensedUser: '1',
      dchat: '1',
      WOPISrc: expect.stringMatching(/^http:\/\/wopi\.test\/wopi\/files\//),
    });

    const plain = await tenantWithClient(standIn);
    const plainUrl = new URL((await open(app, plain, 'Welcome.docx', { action: 'editnew' })).actionUrl!);
    expect([...plainUrl.searchParams.keys()]).toEqual(['WOPISrc']);

    const noChat = await tenantWithClient(standIn, { behaviour: { disableChat: true } });
    const noChatUrl = new URL((await open(app, noChat, 'Welcome.docx', { action: 'editnew' })).actionUrl!);
    expect(noChatUrl.searchParams.get('dchat')).toBe('1');
  });

  it('answers no action URL where the client has no such action for the file type', async () => {
    const app = await newApp();
    const tenant = await tenantWithClient(await newStandIn());
    expect((await open(app, tenant, 'Budget.xlsx')).actionUrl).toBeNull();
    expect((await open(app, tenant, 'Welcome.docx', { action: 'convert' })).actionUrl).toBeNull();
  });

  it('fetches a document once and shares it: every instance reads the copy in Redis', async () => {
    const standIn = await newStandIn();
    const tenant = await tenantWithClient(standIn);
    const [first, second, third] = [await newApp(), await newApp(), await newApp()];
    await open(first, tenant, 'Welcome.docx');
    expect(standIn.discoveryFetches()).toBe(1);
    const sessions = await Promise.all([second, third, first].map((app) => open(app, tenant, 'Welcome.docx')));
    for (const session of sessions) expect(session.actionUrl).toContain(`${standIn.baseUrl}/editor/edit?`);
    expect(standIn.discoveryFetches()).toBe(1);
  });

  it('refreshes a stale document once across instances, serving the stale copy meanwhile', async () => {
    const standIn = await newStandIn();
    const tenant = await tenantWithClient(standIn);
    await open(await newApp(), tenant, 'Welcome.docx');
    expect(standIn.discoveryFetches()).toBe(1);

    // The client moved its editor, and our copy is older than DISCOVERY_REFRESH_INTERVAL_MS (12 h).
    standIn.setDiscovery({
      actions: [{ name: 'edit', ext: 'docx', urlsrc: '{base}/moved/{name}?<ui=UI_LLCC&>' }],
    });
    const key = `wopi:discovery:{${tenant.profileId}}`;
    await redis.hset(key, 'fetchedAtMs', String(Date.now() - 13 * 60 * 60 * 1000));

    const instances = [await newApp(), await newApp(), await newApp()];
    const stale = await Promise.all(instances.map((app) => open(app, tenant, 'Welcome.docx')));
    // Whoever read the stale copy was answered from it at once (the refresh runs behind the answer,
    // on one instance only); an instance that read after the refresh landed got the new one.
    expect(stale.some((session) => session.actionUrl!.includes('/editor/edit?'))).toBe(true);
    for (const session of stale) expect(session.actionUrl).toMatch(/\/(editor|moved)\/edit\?/);
    await waitFor(() => standIn.discoveryFetches() === 2, 'the scheduled refresh', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(standIn.discoveryFetches()).toBe(2);

    const fresh = await open(await newApp(), tenant, 'Welcome.docx');
    expect(fresh.actionUrl).toContain(`${standIn.baseUrl}/moved/edit?`);
    expect(Number(await redis.hget(key, 'fetchedAtMs'))).toBeGreaterThan(Date.now() - 60_000);
  });

  it('keeps sessions working while a client is down, and the host page link until it is back', async () => {
    const standIn = await newStandIn();
    const tenant = await tenantWithClient(standIn);
    standIn.setDiscoveryAvailable(false);
    const session = await open(await newApp(), tenant, 'Welcome.docx');
    expect(session.actionUrl).toBeNull();

    const link = new URL(session.hostPageUrl);
    const down = await (await newApp()).inject({ method: 'GET', url: link.pathname + link.search });
    expect(down.statusCode).toBe(503);
    expect(down.headers['retry-after']).toBe('30');
    expect(down.body).toContain('is not reachable right now');
    expect(down.body).not.toContain('access_token');

    // The ticket was not spent: once the client answers again, the same link opens the editor.
    standIn.setDiscoveryAvailable(true);
    const back = await (await newApp()).inject({ method: 'GET', url: link.pathname + link.search });
    expect(back.statusCode).toBe(200);
    expect(back.body).toContain(`action="${standIn.baseUrl}/editor/edit?`);
    expect((await (await newApp()).inject({ method: 'GET', url: link.pathname + link.search })).statusCode).toBe(410);
  });

  it('never stores a document that does not parse over a good one', async () => {
    const standIn = await newStandIn();
    const tenant = await tenantWithClient(standIn);
    await open(await newApp(), tenant, 'Welcome.docx');
    const key = `wopi:discovery:{${tenant.profileId}}`;
    const good = await redis.hget(key, 'xml');

    standIn.setRawDiscovery('<wopi-discovery><net-zone name="external-http"><app name="Cut off');
    await redis.hset(key, 'fetchedAtMs', String(Date.now() - 13 * 60 * 60 * 1000));
    const app = await newApp();
    await open(app, tenant, 'Welcome.docx');
    await waitFor(() => standIn.discoveryFetches() === 2, 'the scheduled refresh', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The refresh failed to parse: the good document stays, and keeps serving.
    expect(await redis.hget(key, 'xml')).toBe(good);
    expect((await open(app, tenant, 'Welcome.docx')).actionUrl).toContain('/editor/edit?');
  });
});
