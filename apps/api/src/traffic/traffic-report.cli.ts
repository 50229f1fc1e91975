/**
 * `npm run traffic-report -- --since 7d [--tenant <slug>] [--format markdown|json] [--json <file>]`
 *
 * Prints the roll-out traffic table from the gateway's own records (traffic_minutes and
 * traffic_seconds, written by the api): markdown by default, JSON with --format json; --json also
 * writes the JSON to a file. Reads DATABASE_URL like the api.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@wopi/db';
import { buildTrafficReport, parseSince, trafficReportMarkdown, type TrafficRow } from './traffic-report';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      since: { type: 'string', default: '7d' },
      tenant: { type: 'string' },
      format: { type: 'string', default: 'markdown' },
      json: { type: 'string' },
    },
  });
  if (values.format !== 'markdown' && values.format !== 'json') throw new Error('--format must be markdown or json');
  const to = new Date();
  const from = parseSince(values.since!, to);
  const prisma = new PrismaClient({
    adapter: new PrismaPg({
      connectionString: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/wopi_gateway',
    }),
  });
  try {
    let tenantId: string | undefined;
    if (values.tenant) {
      const tenant = await prisma.tenant.findUnique({ where: { slug: values.tenant }, select: { id: true } });
      if (!tenant) throw new Error(`no tenant "${values.tenant}"`);
      tenantId = tenant.id;
    }
    const grouped = await prisma.trafficMinute.groupBy({
      by: ['kind', 'operation', 'access', 'extension', 'country'],
      where: {
        minute: { gte: new Date(Math.floor(from.getTime() / 60_000) * 60_000), lte: to },
        ...(tenantId ? { tenantId } : {}),
      },
      _sum: { count: true },
    });
    const rows: TrafficRow[] = grouped.map((g) => ({
      kind: g.kind,
      operation: g.operation,
      access: g.access,
      extension: g.extension,
      country: g.country,
      count: g._sum.count ?? 0,
    }));
    const busiest = await prisma.trafficSecond.groupBy({
      by: ['second'],
      where: { second: { gte: from, lte: to }, ...(tenantId ? { tenantId } : {}) },
      _sum: { count: true },
      orderBy: { _sum: { count: 'desc' } },
      take: 1,
    });
    const peak = busiest[0] ? { count: busiest[0]._sum.count ?? 0, at: busiest[0].second } : null;
    const report = buildTrafficReport({ from, to, tenant: values.tenant ?? null, rows, peak });
    if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(
      values.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : trafficReportMarkdown(report),
    );
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`traffic-report: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
