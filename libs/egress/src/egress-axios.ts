import type { AxiosRequestConfig } from 'axios';
import { type EgressPolicy, EgressRefusedError, egressLookup, egressRefusalOfUrl } from './egress-policy';

/**
 * The axios settings that enforce the policy on every call: the DNS hook (every connection, every
 * redirect hop) and, for redirects, a check of the next URL itself (an IP-literal host skips DNS).
 */
export function egressAxiosConfig(policy: EgressPolicy): Pick<AxiosRequestConfig, 'lookup' | 'beforeRedirect'> {
  return {
    lookup: egressLookup(policy) as AxiosRequestConfig['lookup'],
    beforeRedirect: (options: Record<string, unknown>) => {
      const next = String(
        options.href ?? `${String(options.protocol)}//${String(options.hostname)}${String(options.path)}`,
      );
      const refusal = egressRefusalOfUrl(next, policy);
      if (refusal) throw new EgressRefusedError(next, refusal);
    },
  };
}

/** Throws EgressRefusedError for a URL the policy refuses before DNS (call before each request). */
export function assertEgressUrl(url: string, policy: EgressPolicy): void {
  const refusal = egressRefusalOfUrl(url, policy);
  if (refusal) throw new EgressRefusedError(url, refusal);
}
