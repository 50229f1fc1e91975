/**
 * The Swagger UI at /docs in a real browser (Debian's Chromium): it renders the gateway's own
 * OpenAPI document from this server alone; every request the page makes stays on the gateway's
 * origin (no CDN), and the admin and session operations are listed.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { type Browser, chromium } from 'playwright-core';
import { createApp } from '../../apps/api/src/create-app';
import { freePort } from '../support/api-process';
import { testApiEnv } from '../support/gateway-env';
import { CHROMIUM_ARGS, ensureChromium } from './ensure-chromium';

describe('API docs in a browser', () => {
  let browser: Browser;
  let app: NestFastifyApplication;
  let apiUrl: string;

  beforeAll(async () => {
    const executablePath = ensureChromium();
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    app = await createApp(testApiEnv({ PUBLIC_BASE_URL: apiUrl }));
    await app.listen({ port, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('renders every operation of the document from this server only', async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${apiUrl}/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: 20_000 });
    const operations = await page.locator('.opblock-summary-path').allInnerTexts();
    const paths = operations.map((text) => text.replace(/\u200b/g, '').trim());
    expect(paths).toEqual(expect.arrayContaining(['/api/v1/sessions', '/admin/v1/tenants', '/admin/v1/audit']));
    expect(errors).toEqual([]);
    expect(requested.filter((url) => !url.startsWith(`${apiUrl}/`))).toEqual([]);
    expect(requested).toContain(`${apiUrl}/openapi.json`);
    await page.close();
  }, 60_000);
});
