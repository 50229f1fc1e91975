import { buildActionUrl } from './action-url';

const WOPI_SRC = 'https://wopi.example.com/wopi/files/Xy_9-aB';
const ENCODED_WOPI_SRC = 'https%3A%2F%2Fwopi.example.com%2Fwopi%2Ffiles%2FXy_9-aB';

describe('buildActionUrl', () => {
  it('fills known placeholders, removes the rest and fills WOPI_SOURCE (Office for the web)', () => {
    const urlsrc =
      'https://word-view.officeapps.live.com/wv/wordviewerframe.aspx?<ui=UI_LLCC&><rs=DC_LLCC&><dchat=DISABLE_CHAT&><hid=HOST_SESSION_ID&><sc=SESSION_CONTEXT&><wopisrc=WOPI_SOURCE&><IsLicensedUser=BUSINESS_USER&><actnavid=ACTIVITY_NAVIGATION_ID&>';
    expect(
      buildActionUrl(urlsrc, {
        wopiSrc: WOPI_SRC,
        values: { UI_LLCC: 'de-DE', DC_LLCC: 'de-DE', BUSINESS_USER: '1', DISABLE_CHAT: '1' },
      }),
    ).toBe(
      `https://word-view.officeapps.live.com/wv/wordviewerframe.aspx?ui=de-DE&rs=de-DE&dchat=1&wopisrc=${ENCODED_WOPI_SRC}&IsLicensedUser=1`,
    );
  });

  it('appends WOPISrc when the template has no WOPI_SOURCE (the example of discovery.rst, wrapped over lines)', () => {
    const urlsrc = `https://word-edit.officeapps.live.com/we/wordeditorframe.aspx?
            <ui=UI_LLCC&><rs=DC_LLCC&><showpagestats=PERFSTATS&>`;
    expect(buildActionUrl(urlsrc, { wopiSrc: WOPI_SRC, values: { UI_LLCC: 'en-US' } })).toBe(
      `https://word-edit.officeapps.live.com/we/wordeditorframe.aspx?ui=en-US&WOPISrc=${ENCODED_WOPI_SRC}`,
    );
  });

  it('removes every placeholder when no value is given', () => {
    const urlsrc =
      'http://127.0.0.1/wopitest/WopiTestFrame.aspx?<ui=UI_LLCC&><rs=DC_LLCC&><testcategory=VALIDATOR_TEST_CATEGORY&>';
    expect(buildActionUrl(urlsrc, { wopiSrc: WOPI_SRC })).toBe(
      `http://127.0.0.1/wopitest/WopiTestFrame.aspx?WOPISrc=${ENCODED_WOPI_SRC}`,
    );
    expect(
      buildActionUrl(urlsrc, { wopiSrc: WOPI_SRC, values: { VALIDATOR_TEST_CATEGORY: 'OfficeOnline', UI_LLCC: '' } }),
    ).toBe(`http://127.0.0.1/wopitest/WopiTestFrame.aspx?testcategory=OfficeOnline&WOPISrc=${ENCODED_WOPI_SRC}`);
  });

  it('handles Collabora urlsrc ending in "?"', () => {
    expect(
      buildActionUrl('http://localhost:9980/browser/ba528af/cool.html?', {
        wopiSrc: WOPI_SRC,
        values: { UI_LLCC: 'fr' },
      }),
    ).toBe(`http://localhost:9980/browser/ba528af/cool.html?WOPISrc=${ENCODED_WOPI_SRC}`);
  });

  it('handles ONLYOFFICE urlsrc starting its query with "&"', () => {
    const urlsrc =
      'https://documentserver/hosting/wopi/word/edit?&<rs=DC_LLCC&><dchat=DISABLE_CHAT&><embed=EMBEDDED&><fs=FULLSCREEN&><hid=HOST_SESSION_ID&><rec=RECORDING&><sc=SESSION_CONTEXT&><thm=THEME_ID&><ui=UI_LLCC&><wopisrc=WOPI_SOURCE&>';
    expect(buildActionUrl(urlsrc, { wopiSrc: WOPI_SRC, values: { THEME_ID: '2', UI_LLCC: 'en-US' } })).toBe(
      `https://documentserver/hosting/wopi/word/edit?thm=2&ui=en-US&wopisrc=${ENCODED_WOPI_SRC}`,
    );
  });

  it('keeps fixed parameters and adds the separators they need', () => {
    expect(buildActionUrl('https://x.example/p?PowerPointView=EditView&<ui=UI_LLCC&>', { wopiSrc: WOPI_SRC })).toBe(
      `https://x.example/p?PowerPointView=EditView&WOPISrc=${ENCODED_WOPI_SRC}`,
    );
    expect(
      buildActionUrl('https://x.example/p?a=1&<ui=UI_LLCC>', { wopiSrc: WOPI_SRC, values: { UI_LLCC: 'en-US' } }),
    ).toBe(`https://x.example/p?a=1&ui=en-US&WOPISrc=${ENCODED_WOPI_SRC}`);
    expect(buildActionUrl('https://x.example/edit', { wopiSrc: WOPI_SRC })).toBe(
      `https://x.example/edit?WOPISrc=${ENCODED_WOPI_SRC}`,
    );
    expect(buildActionUrl('https://x.example/edit?a=1', { wopiSrc: WOPI_SRC })).toBe(
      `https://x.example/edit?a=1&WOPISrc=${ENCODED_WOPI_SRC}`,
    );
  });

  it('URL-encodes values and keeps a fragment at the end', () => {
    expect(
      buildActionUrl('https://x.example/v?<sc=SESSION_CONTEXT&>#frag', {
        wopiSrc: WOPI_SRC,
        values: { SESSION_CONTEXT: 'a b&c=d' },
      }),
    ).toBe(`https://x.example/v?sc=a%20b%26c%3Dd&WOPISrc=${ENCODED_WOPI_SRC}#frag`);
  });

  it('removes placeholders it does not know, even when a value is passed for them', () => {
    const values = { ACTIVITY_NAVIGATION_ID: 'x' } as unknown as Record<string, string>;
    expect(
      buildActionUrl('https://x.example/v?<actnavid=ACTIVITY_NAVIGATION_ID&><junk>', { wopiSrc: WOPI_SRC, values }),
    ).toBe(`https://x.example/v?WOPISrc=${ENCODED_WOPI_SRC}`);
  });
});
