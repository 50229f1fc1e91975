/**
 * `npm run traffic-report`: real traffic through an api process and the demo core app, then the
 * report from the gateway's own records, checked against what was sent.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { PrismaClient } from '@wopi/db';
import type { TrafficReport } from '../../apps/api/src/traffic/traffic-report';
import { type ApiProcess, freePort, startApiProcess } from '../support/api-process';
import { type DemoCoreProcess, startDemoCoreProcess } from '../support/demo-core-process';
import { createTestTenant, testPrisma } from '../support/test-tenant';

describe('traffic report', () => {
  let prisma: PrismaClient;
  let core: DemoCoreProcess;
  let coreData: string;
  let api: ApiProcess;
  const credential = `traffic-${randomBytes(16).toString('hex')}`;

  beforeAll(async () => {
    prisma = testPrisma();
    coreData = await mkdtemp(path.join(tmpdir(), 'traffic-core-'));
    core = await startDemoCoreProcess({ port: await freePort(), dataDir: coreData, credential });
    api = await startApiProcess({ CLIENT_COUNTRY_HEADER: 'X-Edge-Country' });
  }, 60_000);

  afterAll(async () => {
    await api?.stop();
    await core?.stop();
    await prisma?.$disconnect();
    await rm(coreData, { recursive: true, force: true });
  });

  it('counts sessions and WOPI calls by view/edit, file type and country, with the peak rate', async () => {
    const tenant = await createTestTenant(prisma, core);
    const open = async (name: string, action: string, country: string) => {
      const response = await fetch(`${api.url}/api/v1/sessions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${tenant.sessionApiKey}`,
          'content-type': 'application/json',
          'x-edge-country': country,
        },
        body: JSON.stringify({ fileRef: await core.refOf(name), userId: 'alice', action }),
      });
      expect(response.status).toBe(201);
      const session = (await response.json()) as { fileId: string; accessToken: string };
      return (suffix: string, init: RequestInit = {}) =>
        fetch(
          `${api.url}/wopi/files/${session.fileId}${suffix}?access_token=${encodeURIComponent(session.accessToken)}`,
          init,
        );
    };
    const editing = await open('Budget.xlsx', 'edit', 'DE');
    const viewing = await open('Welcome.docx', 'view', 'fr');
    const de = { 'x-edge-country': 'DE' };
    const fr = { 'x-edge-country': 'FR' };

    // Edit, xlsx, DE: 3 CheckFileInfo, Lock, Unlock. View, docx, FR: 2 CheckFileInfo and a GetFile;
    // one more CheckFileInfo without a country.
    for (let i = 0; i < 3; i++) expect((await editing('', { headers: de })).status).toBe(200);
    const lock = { ...de, 'x-wopi-lock': 'report-lock' };
    expect((await editing('', { method: 'POST', headers: { ...lock, 'x-wopi-override': 'LOCK' } })).status).toBe(200);
    expect((await editing('', { method: 'POST', headers: { ...lock, 'x-wopi-override': 'UNLOCK' } })).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await viewing('', { headers: fr })).status).toBe(200);
    expect((await viewing('/contents', { headers: fr })).status).toBe(200);
    expect((await viewing('')).status).toBe(200);

    // The records are written in batches; SIGTERM writes the last one.
    expect(await api.stop()).toBe(0);

    const out = path.join(coreData, 'report.json');
    const run = (args: string[]) =>
      promisify(execFile)(
        process.execPath,
        [path.resolve(__dirname, '../../dist/apps/api/src/traffic/traffic-report.cli.js'), ...args],
        {
          env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL! },
        },
      );
    const markdown = (await run(['--since', '1h', '--tenant', tenant.slug, '--json', out])).stdout;
    const report = JSON.parse(await readFile(out, 'utf8')) as TrafficReport;

    expect(report.sessions).toEqual({ total: 2, view: 1, edit: 1 });
    expect(report.wopiCalls).toEqual({ total: 9, view: 4, edit: 5 });
    expect(report.byFileType).toEqual(
      expect.arrayContaining([
        { extension: 'xlsx', sessions: 1, wopiCalls: 5 },
        { extension: 'docx', sessions: 1, wopiCalls: 4 },
      ]),
    );
    expect(report.byCountry).toEqual(
      expect.arrayContaining([
        { country: 'DE', sessions: 1, wopiCalls: 5 },
        { country: 'FR', sessions: 1, wopiCalls: 3 },
        { country: 'unknown', sessions: 0, wopiCalls: 1 },
      ]),
    );
    expect(report.byOperation).toEqual(
      expect.arrayContaining([
        { operation: 'CheckFileInfo', wopiCalls: 6 },
        { operation: 'GetFile', wopiCalls: 1 },
        { operation: 'Lock', wopiCalls: 1 },
        { operation: 'Unlock', wopiCalls: 1 },
      ]),
    );
    expect(report.peakRequestsPerSecond.value).toBeGreaterThanOrEqual(1);
    expect(report.peakRequestsPerSecond.value).toBeLessThanOrEqual(9);
    expect(markdown).toContain('| editor sessions | 2 | 1 | 1 |');
    expect(markdown).toContain('| WOPI calls | 9 | 4 | 5 |');
    expect(markdown).toContain('| edit | xlsx | DE | 1 | 5 |');

    // --format json prints the same report.
    const printed = JSON.parse(
      (await run(['--since', '1h', '--tenant', tenant.slug, '--format', 'json'])).stdout,
    ) as TrafficReport;
    expect(printed.breakdown).toEqual(report.breakdown);
    // Nothing but counts was stored: no addresses, users or files.
    const columns = await prisma.$queryRaw<{ column_name: string }[]>`
      SELECT column_name FROM information_schema.columns WHERE table_name IN ('traffic_minutes', 'traffic_seconds')`;
    expect(columns.map((c) => c.column_name).sort()).toEqual(
      [
        'access',
        'count',
        'count',
        'country',
        'extension',
        'kind',
        'minute',
        'operation',
        'second',
        'tenant_id',
        'tenant_id',
      ].sort(),
    );
  }, 90_000);
});
