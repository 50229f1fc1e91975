import type { RuntimeEnv } from './runtime.env';

/** Core-app client settings from the env (shape of @wopi/core-app-client's options). */
export function coreAppClientSettings(env: RuntimeEnv) {
  return {
    breaker: {
      errorThresholdPercentage: env.CORE_APP_BREAKER_ERROR_PERCENT,
      volumeThreshold: env.CORE_APP_BREAKER_MIN_CALLS,
      rollingWindowMs: 10_000,
      resetTimeoutMs: env.CORE_APP_BREAKER_RESET_MS,
    },
    retry: { attempts: env.CORE_APP_RETRY_ATTEMPTS, baseDelayMs: 100, maxDelayMs: 1_000 },
    contentIdleTimeoutMs: 60_000,
    egress: { allowPrivateNetworks: env.EGRESS_ALLOW_PRIVATE_NETWORKS },
  };
}
