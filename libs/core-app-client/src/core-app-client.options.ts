import type { EgressPolicy } from '@wopi/egress';
import type { RetryPolicy } from './retry';

export const CORE_APP_CLIENT_OPTIONS = Symbol('CORE_APP_CLIENT_OPTIONS');

export interface CoreAppClientOptions {
  breaker: {
    /** Share of failed calls in the rolling window that opens the breaker. */
    errorThresholdPercentage: number;
    /** Calls in the window before the breaker may open at all (a single failure is not an outage). */
    volumeThreshold: number;
    rollingWindowMs: number;
    /** How long an open breaker answers at once before it lets one trial call through. */
    resetTimeoutMs: number;
  };
  /** Retries of idempotent calls on outage-like failures (timeouts, resets, 5xx). */
  retry: RetryPolicy;
  /** Socket idle timeout of content streams (downloads and uploads may take long, but not stall). */
  contentIdleTimeoutMs: number;
  /** Which addresses a core-app URL may reach; checked at every call (ADR 0028). */
  egress: EgressPolicy;
}

export const DEFAULT_CORE_APP_CLIENT_OPTIONS: CoreAppClientOptions = {
  breaker: { errorThresholdPercentage: 50, volumeThreshold: 5, rollingWindowMs: 10_000, resetTimeoutMs: 10_000 },
  retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 },
  contentIdleTimeoutMs: 60_000,
  egress: { allowPrivateNetworks: false },
};
