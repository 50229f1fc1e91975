import { parseXml, XmlSyntaxError } from './xml-parser';

describe('parseXml', () => {
  it('reads elements, attributes, self-closing tags, text, CDATA, comments and processing instructions', () => {
    const root = parseXml(
      [
        '\uFEFF<?xml version="1.0" encoding="utf-8"?>',
        '<!-- before the root -->',
        '<root a=\'1\' b="two words">',
        '  <child x="y"/>',
        '  <child x = "z" ><!-- inside --><?pi data?>text &amp; more<![CDATA[<raw> & ]]></child>',
        '</root>',
        '<!-- after the root -->',
        '',
      ].join('\r\n'),
    );
    expect(root.name).toBe('root');
    expect(root.attributes).toEqual({ a: '1', b: 'two words' });
    expect(root.children.map((child) => child.attributes.x)).toEqual(['y', 'z']);
    expect(root.children[1].text).toBe('text & more<raw> & ');
    expect(root.children[0].children).toEqual([]);
  });

  it('decodes the predefined entities and character references', () => {
    const root = parseXml('<a v="&lt;ui=UI_LLCC&amp;&gt; &quot;&apos; &#233;&#x65E5;&#x1F600;"/>');
    expect(root.attributes.v).toBe('<ui=UI_LLCC&> "\' é日😀');
  });

  it('normalises literal whitespace in attribute values to spaces, but keeps character references', () => {
    expect(parseXml('<a v="x\n\ty" w="x&#10;y"/>').attributes).toEqual({ v: 'x  y', w: 'x\ny' });
  });

  it('keeps namespace prefixes as part of the name', () => {
    expect(parseXml('<ns:a xmlns:ns="urn:x" ns:b="1"></ns:a>')).toEqual({
      name: 'ns:a',
      attributes: { 'xmlns:ns': 'urn:x', 'ns:b': '1' },
      children: [],
      text: '',
    });
  });

  it('reads deeply nested documents without recursion', () => {
    const depth = 20_000;
    let element = parseXml(`${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`);
    let levels = 1;
    while (element.children.length > 0) {
      element = element.children[0];
      levels += 1;
    }
    expect(levels).toBe(depth);
  });

  it.each([
    ['an empty document', ''],
    ['text only', 'hello'],
    ['an unclosed element', '<a><b></b>'],
    ['a mismatched end tag', '<a></b>'],
    ['two roots', '<a/><b/>'],
    ['text after the root', '<a/>tail'],
    ['a duplicate attribute', '<a x="1" x="2"/>'],
    ['an unquoted attribute', '<a x=1/>'],
    ['attributes without whitespace between them', '<a x="1"y="2"/>'],
    ["'<' in an attribute value", '<a x="<"/>'],
    ['an unknown entity', '<a x="&nbsp;"/>'],
    ['an unterminated reference', '<a>AT&T</a>'],
    ['a bare ampersand', '<a x="a & b"/>'],
    ['a NUL character reference', '<a x="&#0;"/>'],
    ['a surrogate character reference', '<a x="&#xD800;"/>'],
    ['a DOCTYPE (no entity expansion, ever)', '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'],
    ['an unterminated comment', '<a><!-- </a>'],
    ['an unterminated CDATA section', '<a><![CDATA[ </a>'],
  ])('refuses %s', (_name, xml) => {
    expect(() => parseXml(xml)).toThrow(XmlSyntaxError);
  });

  it('says where the error is', () => {
    expect(() => parseXml('<a>\n  <b x="1" x="2"/>\n</a>')).toThrow(/duplicate attribute x \(line 2, column \d+\)/);
  });
});
