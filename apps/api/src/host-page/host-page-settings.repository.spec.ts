import { parseHostPageSettings } from './host-page-settings.repository';

describe('parseHostPageSettings', () => {
  it("defaults to 'self' when the tenant set nothing or nothing usable", () => {
    for (const stored of [undefined, null, {}, { allowedFrameAncestors: [] }, { allowedFrameAncestors: 'x' }]) {
      expect(parseHostPageSettings(stored).allowedFrameAncestors).toEqual(["'self'"]);
    }
  });

  it('keeps origins, wildcard subdomains, ports and the CSP keywords', () => {
    const allowed = ["'self'", 'https://app.example.com', 'https://*.example.org:8443', 'http://127.0.0.1:3100'];
    expect(parseHostPageSettings({ allowedFrameAncestors: allowed }).allowedFrameAncestors).toEqual(allowed);
  });

  it('refuses anything that could change the policy it is written into', () => {
    const rejected: unknown[] = [];
    const settings = parseHostPageSettings(
      {
        allowedFrameAncestors: [
          'https://ok.example',
          "https://evil.example; script-src 'unsafe-inline'",
          'https://a.example https://b.example',
          "'unsafe-inline'",
          'javascript:alert(1)',
          'https://ok.example/path',
          42,
        ],
      },
      (values) => rejected.push(...values),
    );
    expect(settings.allowedFrameAncestors).toEqual(['https://ok.example']);
    expect(rejected).toHaveLength(6);
  });

  it("drops 'none' when real sources are listed with it", () => {
    expect(
      parseHostPageSettings({ allowedFrameAncestors: ["'none'", 'https://a.example'] }).allowedFrameAncestors,
    ).toEqual(['https://a.example']);
    expect(parseHostPageSettings({ allowedFrameAncestors: ["'none'"] }).allowedFrameAncestors).toEqual(["'none'"]);
  });
});
