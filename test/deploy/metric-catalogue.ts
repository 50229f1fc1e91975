/**
 * The Prometheus series the gateway exports (OTel instruments of issue 13 through an OTLP →
 * Prometheus conversion: dots become underscores, seconds get `_seconds`, counters `_total`).
 * The dashboards and alert rules may use only these, with only these labels; deploy/README.md
 * lists the same table for operators. The telemetry part of issue 13 implements the instruments.
 */
const request = [
  'wopi_operation',
  'wopi_tenant',
  'wopi_client',
  'wopi_file_extension',
  'wopi_access',
  'http_response_status_code',
  'error_type',
  'geo_country_iso_code',
];
const coreApp = ['wopi_tenant', 'wopi_core_app_operation', 'error_type'];
const histogram = (name: string, labels: string[]): Record<string, string[]> => ({
  [`${name}_bucket`]: [...labels, 'le'],
  [`${name}_count`]: labels,
  [`${name}_sum`]: labels,
});

/** series name → its labels (besides job and instance, which every series has). */
export const METRIC_SERIES: Record<string, string[]> = {
  ...histogram('wopi_request_duration_seconds', request),
  wopi_lock_conflicts_total: ['wopi_operation', 'wopi_tenant'],
  wopi_proof_failures_total: ['wopi_tenant', 'wopi_client'],
  ...histogram('wopi_core_app_request_duration_seconds', coreApp),
  wopi_core_app_breaker_state: ['wopi_tenant'],
  wopi_write_back_queue_depth: ['wopi_queue_state'],
  ...histogram('wopi_write_back_lag_seconds', []),
  wopi_write_back_oldest_pending_age_seconds: [],
  wopi_write_back_attempts_total: ['wopi_tenant', 'wopi_write_back_outcome'],
  ...histogram('wopi_conversion_duration_seconds', ['error_type']),
  wopi_editor_sessions_active: ['wopi_tenant', 'wopi_access'],
  wopi_staging_bytes: [],
};

export const COMMON_LABELS = ['job', 'instance'];

/** The metric names a PromQL expression refers to (the gateway's own: they all start with wopi_). */
export function metricNamesIn(expr: string): string[] {
  const withoutLabels = expr
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  return [...new Set([...withoutLabels.matchAll(/\b(wopi_[a-z0-9_]+)\b/g)].map((m) => m[1]))];
}

/** Label names an expression groups by or matches on. */
export function labelNamesIn(expr: string): string[] {
  const grouped = [...expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap((m) =>
    m[1].split(',').map((label) => label.trim()),
  );
  const matched = [...expr.matchAll(/([a-z_][a-z0-9_]*)\s*(?:=~|!~|!=|=)\s*"/g)].map((m) => m[1]);
  return [...new Set([...grouped, ...matched].filter(Boolean))];
}
