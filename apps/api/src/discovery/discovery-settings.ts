import type { EgressPolicy } from '@wopi/egress';

export const DISCOVERY_SETTINGS = Symbol('DISCOVERY_SETTINGS');

export interface DiscoverySettings {
  /** Age at which a cached discovery document is fetched again (ApiEnv DISCOVERY_REFRESH_INTERVAL_MS). */
  refreshIntervalMs: number;
  /** Least time between two fetches of one profile forced by proof-key failures, across instances. */
  minRefreshIntervalMs: number;
  /** Timeout of one fetch. */
  fetchTimeoutMs: number;
  /** Which addresses a discovery URL (and each redirect) may reach (EGRESS_ALLOW_PRIVATE_NETWORKS). */
  egress: EgressPolicy;
}
