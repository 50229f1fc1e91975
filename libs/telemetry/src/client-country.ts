import { readFileSync } from 'node:fs';
import { type CountryResponse, Reader } from 'mmdb-lib';

/** Where the client's country comes from; both optional, the header first. */
export interface ClientCountrySettings {
  /** A header a trusted edge (CDN, load balancer) sets to the client's ISO country code. */
  header?: string;
  /** A MaxMind-format database (GeoLite2/GeoIP2 Country or City) the operator supplies. */
  geoIpDatabasePath?: string;
}

/**
 * The client's country, coarse on purpose: an ISO 3166-1 alpha-2 code or nothing. The IP address
 * it may be derived from is looked up in memory and never stored, logged or exported; only the
 * country goes into metrics and traffic records. A header value that is not two letters is
 * ignored (edges send "XX" or "T1" for unknown/Tor: those stay as sent when they are two letters).
 */
export class ClientCountryResolver {
  private readonly header?: string;
  private readonly reader?: Reader<CountryResponse>;

  constructor(settings: ClientCountrySettings) {
    this.header = settings.header?.toLowerCase();
    if (settings.geoIpDatabasePath) this.reader = new Reader<CountryResponse>(readFileSync(settings.geoIpDatabasePath));
  }

  get enabled(): boolean {
    return this.header !== undefined || this.reader !== undefined;
  }

  countryOf(headers: Record<string, string | string[] | undefined>, clientIp: string | undefined): string | undefined {
    if (this.header) {
      const raw = headers[this.header];
      const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
      if (value && /^[A-Za-z][A-Za-z0-9]$/.test(value)) return value.toUpperCase();
    }
    if (this.reader && clientIp) {
      try {
        const record = this.reader.get(clientIp.replace(/^::ffff:/, ''));
        const code = record?.country?.iso_code ?? record?.registered_country?.iso_code;
        if (code && /^[A-Z]{2}$/.test(code)) return code;
      } catch {
        // Not an IP address the database can look up: no country.
      }
    }
    return undefined;
  }
}
