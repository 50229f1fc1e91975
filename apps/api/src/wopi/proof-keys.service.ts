import { Inject, Injectable, Logger } from '@nestjs/common';
import type { TenantConfig } from '@wopi/tenancy';
import { ProofKeyFailure, ProofKeyRule, readProofHeaders, verifyWopiProof, WopiError } from '@wopi/wopi';
import type { FastifyRequest } from 'fastify';
import { DiscoveryUnavailableError } from '../discovery/discovery.error';
import { DiscoveryService, type LoadedDiscovery, type WopiClientProfile } from '../discovery/discovery.service';
import { WOPI_SETTINGS, type WopiSettings } from './wopi-settings';
import { wopiMetrics } from '@wopi/telemetry';

/**
 * Proof keys (online/scenarios/proofkeys.rst): for tenants whose WOPI client signs its requests,
 * every WOPI request must carry an X-WOPI-Proof (or X-WOPI-ProofOld) that verifies with the keys of
 * the client's discovery, over the access token, the URL the client called and an
 * X-WOPI-TimeStamp at most 20 minutes old. "If a request is not signed properly, the host must
 * return a 500" (WopiError.invalidProof).
 */
@Injectable()
export class ProofKeysService {
  private readonly logger = new Logger(ProofKeysService.name);

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(WOPI_SETTINGS) private readonly settings: WopiSettings,
  ) {}

  /** Returns when the request needs no proof or its proof verifies; throws WopiError.invalidProof() otherwise. */
  async assertSigned(request: FastifyRequest, tenant: TenantConfig, accessToken: string): Promise<void> {
    const profile = tenant.wopiClient;
    if (!profile?.proofKeysRequired) return;
    const headers = readProofHeaders(request.headers);
    // The URL the client signed: our public URL and the request's own path and query string, byte
    // for byte as sent. Never the Host header: behind TLS termination or a proxy it is not what the
    // client called (proofkeys.rst "Troubleshooting"), and it is the caller's to forge.
    const url = this.settings.publicBaseUrl + (request.raw.url ?? request.url);
    const verify = (loaded: LoadedDiscovery) =>
      loaded.proofKeys ? verifyWopiProof({ ...headers, accessToken, url, keys: loaded.proofKeys }) : undefined;

    const used = await this.discoveryOf(profile);
    const result = verify(used);
    if (result?.valid) {
      if (result.rule === ProofKeyRule.ProofOldWithCurrentKey) {
        // The client signs with a key our copy does not know yet: it rotated. The request is
        // genuine; fetch the new keys for the next ones (rate-limited like any forced refresh).
        void this.discovery.refreshAfterProofFailure(profile, used);
      }
      return;
    }
    // A stale, future or unstamped request is refused without a refresh: new keys cannot help it.
    if (result && result.failure !== ProofKeyFailure.SignatureMismatch) throw this.refused(tenant, result.failure);

    // The keys may have rotated twice since our copy: look for a newer one, once per interval
    // (discovery.rst: "re-run discovery when proof key validation fails").
    const fresher = await this.discovery.refreshAfterProofFailure(profile, used);
    const retried = fresher ? verify(fresher) : undefined;
    if (retried?.valid) return;
    const reason = retried?.failure ?? result?.failure ?? 'the client publishes no proof key';
    if (!used.proofKeys && !fresher?.proofKeys) {
      this.logger.error(
        { tenantId: tenant.id, profileId: profile.id },
        'proof keys required but the client discovery has no <proof-key>',
      );
    }
    throw this.refused(tenant, reason);
  }

  /** The WOPI answer to a proof that does not verify, counted (wopi.proof.failures). */
  private refused(tenant: TenantConfig, reason: string): WopiError {
    wopiMetrics.proofFailure({ 'wopi.tenant': tenant.slug, 'wopi.client': tenant.wopiClient?.name });
    return WopiError.invalidProof(reason);
  }

  private async discoveryOf(profile: WopiClientProfile): Promise<LoadedDiscovery> {
    try {
      return await this.discovery.get(profile);
    } catch (error) {
      // Fail closed: without the client's keys nothing can be verified.
      if (error instanceof DiscoveryUnavailableError)
        throw WopiError.invalidProof('the client discovery is unavailable');
      throw error;
    }
  }
}
