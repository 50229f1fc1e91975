import { Inject, Injectable } from '@nestjs/common';
import { assertEgressUrl, egressAxiosConfig, type EgressPolicy, egressRefusalIn } from '@wopi/egress';
import axios, { type AxiosInstance } from 'axios';
import { DISCOVERY_SETTINGS, type DiscoverySettings } from './discovery-settings';

/** Office's discovery is about 0.5 MB; anything ten times larger is not a discovery document. */
const MAX_DISCOVERY_BYTES = 5 * 1024 * 1024;

/** Fetches a discovery document over HTTP (`GET <client>/hosting/discovery`, discovery.rst). */
@Injectable()
export class DiscoveryClient {
  private readonly http: AxiosInstance;
  private readonly egress: EgressPolicy;

  constructor(@Inject(DISCOVERY_SETTINGS) settings: DiscoverySettings) {
    this.egress = settings.egress;
    this.http = axios.create({
      // Every connection and every redirect hop must reach an address the egress policy allows.
      ...egressAxiosConfig(settings.egress),
      timeout: settings.fetchTimeoutMs,
      maxContentLength: MAX_DISCOVERY_BYTES,
      maxRedirects: 3,
      responseType: 'text',
      // The body is XML: keep it as text, never let axios guess at JSON.
      transformResponse: [(data: unknown) => data],
      headers: { accept: 'application/xml, text/xml;q=0.9, */*;q=0.1' },
      validateStatus: (status) => status === 200,
    });
  }

  /** The document's text; throws with a short reason (status, timeout, network error) otherwise. */
  async fetch(url: string): Promise<string> {
    try {
      assertEgressUrl(url, this.egress);
      const response = await this.http.get<string>(url);
      if (typeof response.data !== 'string' || response.data.length === 0) throw new Error('empty response');
      return response.data;
    } catch (error) {
      const refused = egressRefusalIn(error);
      if (refused) throw new Error(`GET ${url} refused: ${refused.message}`, { cause: error });
      if (axios.isAxiosError(error)) {
        const reason = error.response ? `HTTP ${error.response.status}` : (error.code ?? error.message);
        throw new Error(`GET ${url} failed: ${reason}`, { cause: error });
      }
      throw error;
    }
  }
}
