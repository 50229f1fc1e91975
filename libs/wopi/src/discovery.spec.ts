import { DiscoveryError, findAction, parseDiscovery } from './discovery';
import { validatorDiscovery } from '../test/validator-fixtures';
import { XmlSyntaxError } from './xml-parser';

const VALIDATOR_DISCOVERY = validatorDiscovery();

// Shaped like Office for the web's discovery: several net zones, apps with favicons and licence
// checks, view/edit/editnew/convert/embedview actions with progids, requirements and defaults, and
// placeholders escaped as &lt; &amp; &gt; in urlsrc.
const OFFICE_LIKE_DISCOVERY = `<?xml version="1.0" encoding="utf-8"?>
<wopi-discovery>
  <!-- internal zone first in document order -->
  <net-zone name="internal-http">
    <app name="Word" favIconUrl="http://internal.example/wv/resources/1033/FavIcon_Word.ico" checkLicense="true">
      <action name="view" ext="docx" default="true" urlsrc="http://internal.example/wv/wordviewerframe.aspx?&lt;ui=UI_LLCC&amp;&gt;" />
    </app>
  </net-zone>
  <net-zone name="external-https">
    <app name="Word" favIconUrl="https://c5-word-view-15.cdn.office.net/wv/resources/1033/FavIcon_Word.ico" checkLicense="true">
      <action name="view" ext="docx" default="true" urlsrc="https://word-view.officeapps.live.com/wv/wordviewerframe.aspx?&lt;ui=UI_LLCC&amp;&gt;&lt;rs=DC_LLCC&amp;&gt;&lt;dchat=DISABLE_CHAT&amp;&gt;&lt;hid=HOST_SESSION_ID&amp;&gt;&lt;sc=SESSION_CONTEXT&amp;&gt;&lt;wopisrc=WOPI_SOURCE&amp;&gt;&lt;IsLicensedUser=BUSINESS_USER&amp;&gt;&lt;actnavid=ACTIVITY_NAVIGATION_ID&amp;&gt;" />
      <action name="edit" ext="docx" requires="locks,cobalt,update" urlsrc="https://word-edit.officeapps.live.com/we/wordeditorframe.aspx?&lt;ui=UI_LLCC&amp;&gt;&lt;rs=DC_LLCC&amp;&gt;&lt;wopisrc=WOPI_SOURCE&amp;&gt;" />
      <action name="editnew" ext="docx" requires="locks,update" newprogid="Word.Document.12" newext="docx" urlsrc="https://word-edit.officeapps.live.com/we/wordeditorframe.aspx?new=1&amp;&lt;ui=UI_LLCC&amp;&gt;" />
      <action name="convert" ext="doc" targetext="docx" requires="update" urlsrc="https://word-view.officeapps.live.com/wv/WordConvert.aspx?&lt;ui=UI_LLCC&amp;&gt;" />
      <action name="embedview" ext="DOCX" urlsrc="https://word-view.officeapps.live.com/wv/wordviewerframe.aspx?embed=1&amp;&lt;ui=UI_LLCC&amp;&gt;" />
      <action name="view" progid="Word.Document.12" urlsrc="https://word-view.officeapps.live.com/wv/wordviewerframe.aspx?" />
    </app>
    <app name="Excel" favIconUrl="https://c5-excel-15.cdn.office.net/x/_layouts/resources/FavIcon_Excel.ico" checkLicense="true">
      <action name="view" ext="xlsx" default="true" urlsrc="https://excel.officeapps.live.com/x/_layouts/xlviewerinternal.aspx?&lt;ui=UI_LLCC&amp;&gt;" />
      <action name="edit" ext="xlsx" requires="update" urlsrc="https://excel.officeapps.live.com/x/_layouts/xlviewerinternal.aspx?edit=1&amp;&lt;ui=UI_LLCC&amp;&gt;" />
      <action name="mobileView" ext="xlsx" urlsrc="https://excel.officeapps.live.com/m/ExcelMobile.aspx?&lt;ui=UI_LLCC&amp;&gt;" />
      <action name="broken-without-urlsrc" ext="xlsx" />
    </app>
    <app name="PowerPoint" favIconUrl="https://c5-powerpoint-15.cdn.office.net/p/resources/1033/FavIcon_Ppt.ico" checkLicense="true">
      <action name="edit" ext="pptx" requires="update" urlsrc="https://powerpoint.officeapps.live.com/p/PowerPointFrame.aspx?PowerPointView=EditView&amp;&lt;ui=UI_LLCC&amp;&gt;" />
    </app>
  </net-zone>
  <proof-key oldvalue="T0xEVkFMVUU=" oldmodulus="b2xkbW9k" oldexponent="AQAB" value="VkFMVUU=" modulus="bW9k" exponent="AQAB" />
</wopi-discovery>`;

// Shaped like Collabora Online's: apps named by MIME type with ext="" and by name with extensions,
// a "Capabilities" pseudo-app, a single external-http zone.
const COLLABORA_LIKE_DISCOVERY = `<?xml version="1.0" encoding="utf-8"?>
<wopi-discovery>
<net-zone name="external-http">
<app name="application/vnd.oasis.opendocument.text"><action name="edit" ext="" default="true" urlsrc="http://localhost:9980/browser/ba528af/cool.html?"/></app>
<app name="writer" favIconUrl="http://localhost:9980/browser/ba528af/images/x-office-document.svg">
<action name="view" default="true" ext="sxw" urlsrc="http://localhost:9980/browser/ba528af/cool.html?"/>
<action name="edit" default="true" ext="odt" urlsrc="http://localhost:9980/browser/ba528af/cool.html?"/>
<action name="edit" default="true" ext="docx" urlsrc="http://localhost:9980/browser/ba528af/cool.html?"/>
</app>
<app name="draw"><action name="view_comment" ext="pdf" urlsrc="http://localhost:9980/browser/ba528af/cool.html?"/></app>
<app name="Capabilities"><action name="getinfo" ext="" urlsrc="http://localhost:9980/hosting/capabilities"/></app>
</net-zone>
</wopi-discovery>`;

describe('parseDiscovery', () => {
  it("reads the validator's discovery document", () => {
    const discovery = parseDiscovery(VALIDATOR_DISCOVERY);
    expect(discovery.netZones).toEqual([
      {
        name: 'external-http',
        apps: [
          {
            name: 'WopiTest',
            favIconUrl: 'http://127.0.0.1/wopitest/favicon.ico',
            checkLicense: false,
            actions: [
              {
                name: 'getinfo',
                ext: 'wopitest',
                urlsrc:
                  'http://127.0.0.1/wopitest/WopiTestFrame.aspx?<ui=UI_LLCC&><rs=DC_LLCC&><testcategory=VALIDATOR_TEST_CATEGORY&>',
                requires: [],
                isDefault: false,
              },
              {
                name: 'view',
                ext: 'wopitest',
                urlsrc:
                  'http://127.0.0.1/wopitest/WopiTestFrame.aspx?<ui=UI_LLCC&><rs=DC_LLCC&><testcategory=VALIDATOR_TEST_CATEGORY&>',
                requires: [],
                isDefault: true,
              },
            ],
          },
        ],
      },
    ]);
    expect(Object.keys(discovery.proofKey!).sort()).toEqual([
      'exponent',
      'modulus',
      'oldExponent',
      'oldModulus',
      'oldValue',
      'value',
    ]);
    expect(discovery.proofKey!.exponent).toBe('AQAB');
  });

  it('reads an Office-like document: zones, apps, action attributes, the proof key', () => {
    const discovery = parseDiscovery(OFFICE_LIKE_DISCOVERY);
    expect(discovery.netZones.map((zone) => zone.name)).toEqual(['internal-http', 'external-https']);
    const [word, excel, powerPoint] = discovery.netZones[1].apps;
    expect([word.name, excel.name, powerPoint.name]).toEqual(['Word', 'Excel', 'PowerPoint']);
    expect(word.checkLicense).toBe(true);
    expect(word.actions.find((action) => action.name === 'edit')).toEqual({
      name: 'edit',
      ext: 'docx',
      urlsrc:
        'https://word-edit.officeapps.live.com/we/wordeditorframe.aspx?<ui=UI_LLCC&><rs=DC_LLCC&><wopisrc=WOPI_SOURCE&>',
      requires: ['locks', 'cobalt', 'update'],
      isDefault: false,
    });
    expect(word.actions.find((action) => action.name === 'convert')).toMatchObject({
      ext: 'doc',
      targetExt: 'docx',
      requires: ['update'],
    });
    expect(word.actions.find((action) => action.name === 'editnew')).toMatchObject({
      newExt: 'docx',
      newProgid: 'Word.Document.12',
    });
    expect(word.actions.find((action) => action.progid !== undefined)).toMatchObject({
      ext: '',
      progid: 'Word.Document.12',
    });
    // The action without urlsrc is unusable and left out.
    expect(excel.actions.map((action) => action.name)).toEqual(['view', 'edit', 'mobileView']);
    expect(discovery.proofKey).toEqual({
      value: 'VkFMVUU=',
      modulus: 'bW9k',
      exponent: 'AQAB',
      oldValue: 'T0xEVkFMVUU=',
      oldModulus: 'b2xkbW9k',
      oldExponent: 'AQAB',
    });
  });

  it('reads a Collabora-like document without a proof key', () => {
    const discovery = parseDiscovery(COLLABORA_LIKE_DISCOVERY);
    expect(discovery.proofKey).toBeUndefined();
    expect(discovery.netZones[0].apps.map((app) => app.name)).toEqual([
      'application/vnd.oasis.opendocument.text',
      'writer',
      'draw',
      'Capabilities',
    ]);
    expect(discovery.netZones[0].apps[0].favIconUrl).toBeUndefined();
  });

  it('refuses a document that is not WOPI discovery, or not XML', () => {
    expect(() => parseDiscovery('<html><body/></html>')).toThrow(DiscoveryError);
    expect(() => parseDiscovery('<wopi-discovery><net-zone></wopi-discovery>')).toThrow(XmlSyntaxError);
  });
});

describe('findAction', () => {
  const office = parseDiscovery(OFFICE_LIKE_DISCOVERY);
  const collabora = parseDiscovery(COLLABORA_LIKE_DISCOVERY);

  it('finds an action by extension and name, preferring https zones over document order', () => {
    const found = findAction(office, { ext: 'docx', action: 'view' });
    expect(found?.netZone).toBe('external-https');
    expect(found?.app.name).toBe('Word');
    expect(found?.app.favIconUrl).toMatch(/FavIcon_Word\.ico$/);
    expect(found?.action.urlsrc).toMatch(/^https:\/\/word-view\.officeapps\.live\.com\//);
  });

  it('restricts the search to a named zone', () => {
    expect(findAction(office, { ext: 'docx', action: 'view', netZone: 'internal-http' })?.action.urlsrc).toMatch(
      /^http:\/\/internal\.example\//,
    );
    expect(findAction(office, { ext: 'xlsx', action: 'view', netZone: 'internal-http' })).toBeUndefined();
  });

  it('matches extensions with or without the dot, in any case; action names exactly', () => {
    expect(findAction(office, { ext: '.DOCX', action: 'embedview' })?.action.ext).toBe('DOCX');
    expect(findAction(office, { ext: 'xlsx', action: 'mobileView' })).toBeDefined();
    expect(findAction(office, { ext: 'xlsx', action: 'mobileview' })).toBeUndefined();
    expect(findAction(office, { ext: 'pptx', action: 'view' })).toBeUndefined();
    expect(findAction(office, { ext: 'doc', action: 'convert' })?.action.targetExt).toBe('docx');
  });

  it("never matches the empty extension of Collabora's MIME-type apps", () => {
    expect(findAction(collabora, { ext: '', action: 'edit' })).toBeUndefined();
    expect(findAction(collabora, { ext: 'docx', action: 'edit' })?.app.name).toBe('writer');
    expect(findAction(collabora, { ext: 'pdf', action: 'view_comment' })?.app.name).toBe('draw');
  });

  it("finds the validator's actions on .wopitest", () => {
    const validator = parseDiscovery(VALIDATOR_DISCOVERY);
    expect(findAction(validator, { ext: 'wopitest', action: 'view' })?.action.isDefault).toBe(true);
    expect(findAction(validator, { ext: 'wopitest', action: 'getinfo' })).toBeDefined();
  });
});
