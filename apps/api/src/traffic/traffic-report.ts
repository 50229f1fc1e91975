/** One aggregated row of traffic_minutes. */
export interface TrafficRow {
  kind: string;
  operation: string;
  access: string;
  extension: string;
  country: string;
  count: number;
}

export interface TrafficBreakdownRow {
  access: string;
  extension: string;
  country: string;
  sessions: number;
  wopiCalls: number;
}

/** The roll-out traffic report (JSON form; the markdown shows the same numbers). */
export interface TrafficReport {
  from: string;
  to: string;
  tenant: string | null;
  sessions: { total: number; view: number; edit: number };
  wopiCalls: { total: number; view: number; edit: number };
  peakRequestsPerSecond: { value: number; at: string | null };
  byAccess: { access: string; sessions: number; wopiCalls: number }[];
  byFileType: { extension: string; sessions: number; wopiCalls: number }[];
  byCountry: { country: string; sessions: number; wopiCalls: number }[];
  byOperation: { operation: string; wopiCalls: number }[];
  breakdown: TrafficBreakdownRow[];
}

const UNKNOWN = 'unknown';

function groupBy<K extends string>(rows: TrafficRow[], key: (row: TrafficRow) => K) {
  const groups = new Map<K, { sessions: number; wopiCalls: number }>();
  for (const row of rows) {
    const group = groups.get(key(row)) ?? { sessions: 0, wopiCalls: 0 };
    if (row.kind === 'session') group.sessions += row.count;
    else group.wopiCalls += row.count;
    groups.set(key(row), group);
  }
  return [...groups].sort((a, b) => b[1].wopiCalls + b[1].sessions - (a[1].wopiCalls + a[1].sessions));
}

/** Builds the report from the window's rows and its busiest second. */
export function buildTrafficReport(input: {
  from: Date;
  to: Date;
  tenant: string | null;
  rows: TrafficRow[];
  peak: { count: number; at: Date } | null;
}): TrafficReport {
  const rows = input.rows;
  const sum = (kind: string, access?: string) =>
    rows
      .filter((r) => r.kind === kind && (access === undefined || r.access === access))
      .reduce((n, r) => n + r.count, 0);
  const label = (value: string) => value || UNKNOWN;
  return {
    from: input.from.toISOString(),
    to: input.to.toISOString(),
    tenant: input.tenant,
    sessions: { total: sum('session'), view: sum('session', 'view'), edit: sum('session', 'edit') },
    wopiCalls: { total: sum('wopi'), view: sum('wopi', 'view'), edit: sum('wopi', 'edit') },
    peakRequestsPerSecond: { value: input.peak?.count ?? 0, at: input.peak?.at.toISOString() ?? null },
    byAccess: groupBy(rows, (r) => label(r.access)).map(([access, n]) => ({ access, ...n })),
    byFileType: groupBy(rows, (r) => label(r.extension)).map(([extension, n]) => ({ extension, ...n })),
    byCountry: groupBy(rows, (r) => label(r.country)).map(([country, n]) => ({ country, ...n })),
    byOperation: groupBy(
      rows.filter((r) => r.kind === 'wopi'),
      (r) => r.operation,
    ).map(([operation, n]) => ({ operation, wopiCalls: n.wopiCalls })),
    breakdown: groupBy(rows, (r) => `${label(r.access)}\t${label(r.extension)}\t${label(r.country)}`).map(
      ([key, n]) => {
        const [access, extension, country] = key.split('\t');
        return { access, extension, country, ...n };
      },
    ),
  };
}

const table = (headers: string[], rows: (string | number)[][]) =>
  [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');

/** The report as markdown: the table Microsoft asks hosts for before roll-out, and its parts. */
export function trafficReportMarkdown(report: TrafficReport): string {
  return [
    `# WOPI traffic ${report.from} – ${report.to}${report.tenant ? ` (tenant ${report.tenant})` : ''}`,
    '',
    table(
      ['', 'total', 'view', 'edit'],
      [
        ['editor sessions', report.sessions.total, report.sessions.view, report.sessions.edit],
        ['WOPI calls', report.wopiCalls.total, report.wopiCalls.view, report.wopiCalls.edit],
      ],
    ),
    '',
    `Peak WOPI requests per second: ${report.peakRequestsPerSecond.value}${report.peakRequestsPerSecond.at ? ` (at ${report.peakRequestsPerSecond.at})` : ''}`,
    '',
    '## By view/edit, file type and country',
    '',
    table(
      ['view/edit', 'file type', 'country', 'sessions', 'WOPI calls'],
      report.breakdown.map((r) => [r.access, r.extension, r.country, r.sessions, r.wopiCalls]),
    ),
    '',
    '## By file type',
    '',
    table(
      ['file type', 'sessions', 'WOPI calls'],
      report.byFileType.map((r) => [r.extension, r.sessions, r.wopiCalls]),
    ),
    '',
    '## By country',
    '',
    table(
      ['country', 'sessions', 'WOPI calls'],
      report.byCountry.map((r) => [r.country, r.sessions, r.wopiCalls]),
    ),
    '',
    '## WOPI calls by operation',
    '',
    table(
      ['operation', 'WOPI calls'],
      report.byOperation.map((r) => [r.operation, r.wopiCalls]),
    ),
    '',
  ].join('\n');
}

/** `7d`, `24h`, `30m` or an ISO date → the start of the window. */
export function parseSince(value: string, now = new Date()): Date {
  const relative = /^(\d+)([dhm])$/.exec(value.trim());
  if (relative) {
    const unitMs = { d: 86_400_000, h: 3_600_000, m: 60_000 }[relative[2] as 'd' | 'h' | 'm'];
    return new Date(now.getTime() - Number(relative[1]) * unitMs);
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new Error(`--since must be like 7d, 24h, 30m or an ISO date (got "${value}")`);
  return date;
}
