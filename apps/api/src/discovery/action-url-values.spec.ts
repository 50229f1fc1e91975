import { DEFAULT_TENANT_FEATURES } from '@wopi/tenancy';
import { buildActionUrl } from '@wopi/wopi';
import { actionUrlValues } from './action-url-values';

const base = { action: 'edit', features: DEFAULT_TENANT_FEATURES, behaviour: {}, sessionId: 'sess-1' };
const URLSRC =
  'https://word-edit.example/we/wordeditorframe.aspx?<ui=UI_LLCC&><rs=DC_LLCC&><dchat=DISABLE_CHAT&>' +
  '<IsLicensedUser=BUSINESS_USER&><embed=EMBEDDED&><hid=HOST_SESSION_ID&><showpagestats=PERFSTATS&><sc=SESSION_CONTEXT&>';

describe('actionUrlValues', () => {
  it('fills the language placeholders from the locale and names the host session', () => {
    expect(actionUrlValues({ ...base, locale: 'de-DE' })).toEqual({
      UI_LLCC: 'de-DE',
      DC_LLCC: 'de-DE',
      HOST_SESSION_ID: 'sess-1',
    });
  });

  it('leaves the language to the client when no locale is given', () => {
    const values = actionUrlValues(base);
    expect(values.UI_LLCC).toBeUndefined();
    expect(values.DC_LLCC).toBeUndefined();
  });

  it('marks business users on every action, view included (business.rst)', () => {
    const features = { ...DEFAULT_TENANT_FEATURES, businessUserFlow: true };
    expect(actionUrlValues({ ...base, action: 'view', features }).BUSINESS_USER).toBe('1');
    expect(actionUrlValues({ ...base, features: DEFAULT_TENANT_FEATURES }).BUSINESS_USER).toBeUndefined();
  });

  it('disables chat without co-authoring or when the profile says so', () => {
    expect(actionUrlValues(base).DISABLE_CHAT).toBeUndefined();
    expect(
      actionUrlValues({ ...base, features: { ...DEFAULT_TENANT_FEATURES, coauthoring: false } }).DISABLE_CHAT,
    ).toBe('1');
    expect(actionUrlValues({ ...base, behaviour: { disableChat: true } }).DISABLE_CHAT).toBe('1');
  });

  it('says EMBEDDED for embedview only', () => {
    expect(actionUrlValues({ ...base, action: 'embedview' }).EMBEDDED).toBe('true');
    expect(actionUrlValues({ ...base, action: 'view' }).EMBEDDED).toBeUndefined();
  });

  it('gives an action URL with the filled parameters kept and every other placeholder removed', () => {
    const url = buildActionUrl(URLSRC, {
      wopiSrc: 'https://gw.example/wopi/files/abc',
      values: actionUrlValues({
        ...base,
        locale: 'fr-FR',
        features: { ...DEFAULT_TENANT_FEATURES, businessUserFlow: true, coauthoring: false },
      }),
    });
    expect(url).toBe(
      'https://word-edit.example/we/wordeditorframe.aspx?ui=fr-FR&rs=fr-FR&dchat=1&IsLicensedUser=1&hid=sess-1' +
        '&WOPISrc=https%3A%2F%2Fgw.example%2Fwopi%2Ffiles%2Fabc',
    );
  });
});
