import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tinyCountryMmdb } from '../../../test/support/tiny-mmdb';
import { ClientCountryResolver } from './client-country';

describe('ClientCountryResolver', () => {
  let dir: string;
  let database: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'geoip-'));
    database = path.join(dir, 'countries.mmdb');
    writeFileSync(database, tinyCountryMmdb({ '192.0.2.0/24': 'DE', '198.51.100.0/25': 'FR' }));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the country from the trusted edge header, upper-cased, ignoring anything not a code', () => {
    const resolver = new ClientCountryResolver({ header: 'CloudFront-Viewer-Country' });
    expect(resolver.countryOf({ 'cloudfront-viewer-country': 'de' }, '192.0.2.1')).toBe('DE');
    expect(resolver.countryOf({ 'cloudfront-viewer-country': 'Germany' }, undefined)).toBeUndefined();
    expect(resolver.countryOf({}, '192.0.2.1')).toBeUndefined();
  });

  it('looks the address up in a MaxMind database when the header gives none', () => {
    const resolver = new ClientCountryResolver({ header: 'cf-ipcountry', geoIpDatabasePath: database });
    expect(resolver.countryOf({}, '192.0.2.77')).toBe('DE');
    expect(resolver.countryOf({}, '::ffff:198.51.100.5')).toBe('FR');
    expect(resolver.countryOf({}, '198.51.100.200')).toBeUndefined();
    expect(resolver.countryOf({}, '203.0.113.9')).toBeUndefined();
    expect(resolver.countryOf({}, 'not-an-ip')).toBeUndefined();
    expect(resolver.countryOf({ 'cf-ipcountry': 'CH' }, '192.0.2.77')).toBe('CH');
  });

  it('is off with neither source', () => {
    expect(new ClientCountryResolver({}).enabled).toBe(false);
  });
});
