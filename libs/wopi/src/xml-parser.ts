// A small XML reader, strict enough for WOPI discovery documents: elements, attributes, the five
// predefined entities and character references, self-closing tags, comments, processing
// instructions (the XML declaration) and CDATA. It refuses DOCTYPE, so no custom entity can expand
// (no "billion laughs", no external entities), and reports errors with line and column.

/** One element: its attributes and children, and its text content concatenated (CDATA included). */
export interface XmlElement {
  name: string;
  attributes: Readonly<Record<string, string>>;
  children: XmlElement[];
  text: string;
}

export class XmlSyntaxError extends SyntaxError {
  constructor(message: string) {
    super(message);
    this.name = 'XmlSyntaxError';
  }
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const WHITESPACE = /[ \t\n]*/y;
const PREDEFINED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Parses a document and returns its root element; throws XmlSyntaxError for malformed input. */
export function parseXml(source: string): XmlElement {
  return new XmlReader(source).readDocument();
}

class XmlReader {
  private readonly source: string;
  private position = 0;

  constructor(source: string) {
    // Byte-order mark, then XML's line-end normalisation: CRLF and lone CR become LF (XML 1.0 §2.11).
    this.source = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  }

  readDocument(): XmlElement {
    this.skipMisc();
    if (this.startsWith('<!DOCTYPE')) this.fail('DOCTYPE is not supported');
    if (!this.startsWith('<')) this.fail('expected the root element');
    const root = this.readElement();
    this.skipMisc();
    if (this.position < this.source.length) this.fail('content after the root element');
    return root;
  }

  /** Reads an element and everything inside it; iterative, so deep nesting cannot overflow the stack. */
  private readElement(): XmlElement {
    const root = this.readStartTag();
    if (root.selfClosing) return root.element;
    const open: XmlElement[] = [root.element];
    while (open.length > 0) {
      const current = open[open.length - 1];
      if (this.position >= this.source.length) this.fail(`unclosed element <${current.name}>`);
      if (this.startsWith('</')) {
        this.position += 2;
        const name = this.readName();
        if (name !== current.name) this.fail(`</${name}> closes <${current.name}>`);
        this.skipWhitespace();
        this.expect('>');
        open.pop();
      } else if (this.startsWith('<!--')) {
        this.skipComment();
      } else if (this.startsWith('<![CDATA[')) {
        const end = this.source.indexOf(']]>', this.position + 9);
        if (end === -1) this.fail('unterminated CDATA section');
        current.text += this.source.slice(this.position + 9, end);
        this.position = end + 3;
      } else if (this.startsWith('<?')) {
        this.skipProcessingInstruction();
      } else if (this.startsWith('<!')) {
        this.fail('unexpected markup declaration');
      } else if (this.startsWith('<')) {
        const child = this.readStartTag();
        current.children.push(child.element);
        if (!child.selfClosing) open.push(child.element);
      } else {
        const end = this.source.indexOf('<', this.position);
        const raw = this.source.slice(this.position, end === -1 ? this.source.length : end);
        current.text += this.decodeEntities(raw);
        this.position += raw.length;
      }
    }
    return root.element;
  }

  private readStartTag(): { element: XmlElement; selfClosing: boolean } {
    this.expect('<');
    const name = this.readName();
    const attributes: Record<string, string> = {};
    for (;;) {
      const hadWhitespace = this.skipWhitespace();
      if (this.startsWith('/>')) {
        this.position += 2;
        return { element: { name, attributes, children: [], text: '' }, selfClosing: true };
      }
      if (this.startsWith('>')) {
        this.position += 1;
        return { element: { name, attributes, children: [], text: '' }, selfClosing: false };
      }
      if (!hadWhitespace) this.fail(`expected whitespace, '>' or '/>' in <${name}>`);
      const attributeName = this.readName();
      this.skipWhitespace();
      this.expect('=');
      this.skipWhitespace();
      if (Object.prototype.hasOwnProperty.call(attributes, attributeName)) {
        this.fail(`duplicate attribute ${attributeName}`);
      }
      attributes[attributeName] = this.readAttributeValue();
    }
  }

  private readAttributeValue(): string {
    const quote = this.source[this.position];
    if (quote !== '"' && quote !== "'") this.fail('expected a quoted attribute value');
    const end = this.source.indexOf(quote, this.position + 1);
    if (end === -1) this.fail('unterminated attribute value');
    const raw = this.source.slice(this.position + 1, end);
    if (raw.includes('<')) this.fail("'<' in an attribute value");
    this.position = end + 1;
    // Attribute-value normalisation: literal whitespace becomes a space; &#10; and friends stay (XML 1.0 §3.3.3).
    return this.decodeEntities(raw.replace(/[\t\n]/g, ' '));
  }

  private decodeEntities(raw: string): string {
    return raw.replace(/&([^;&\s]*);?/g, (reference: string, entity: string) => {
      if (!reference.endsWith(';')) this.fail(`unterminated reference ${reference}`);
      if (entity.startsWith('#')) return this.characterReference(entity);
      const replacement = PREDEFINED_ENTITIES[entity];
      if (replacement === undefined) this.fail(`unknown entity &${entity};`);
      return replacement;
    });
  }

  private characterReference(entity: string): string {
    const hex = /^#x([0-9A-Fa-f]{1,6})$/.exec(entity);
    const decimal = /^#([0-9]{1,7})$/.exec(entity);
    const codePoint = hex ? parseInt(hex[1], 16) : decimal ? parseInt(decimal[1], 10) : undefined;
    // XML's Char production: no NUL, no other C0 control but tab/LF/CR, no surrogates, no U+FFFE/U+FFFF.
    const isXmlChar =
      codePoint !== undefined &&
      (codePoint === 0x9 ||
        codePoint === 0xa ||
        codePoint === 0xd ||
        (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
        (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
        (codePoint >= 0x10000 && codePoint <= 0x10ffff));
    if (!isXmlChar) this.fail(`invalid character reference &${entity};`);
    return String.fromCodePoint(codePoint!);
  }

  /** Whitespace, comments and processing instructions, as allowed before and after the root element. */
  private skipMisc(): void {
    for (;;) {
      this.skipWhitespace();
      if (this.startsWith('<!--')) this.skipComment();
      else if (this.startsWith('<?')) this.skipProcessingInstruction();
      else return;
    }
  }

  private skipComment(): void {
    const end = this.source.indexOf('-->', this.position + 4);
    if (end === -1) this.fail('unterminated comment');
    this.position = end + 3;
  }

  private skipProcessingInstruction(): void {
    const end = this.source.indexOf('?>', this.position + 2);
    if (end === -1) this.fail('unterminated processing instruction');
    this.position = end + 2;
  }

  private readName(): string {
    NAME.lastIndex = this.position;
    const match = NAME.exec(this.source);
    if (!match) this.fail('expected a name');
    this.position += match[0].length;
    return match[0];
  }

  /** Skips whitespace; says whether there was any. */
  private skipWhitespace(): boolean {
    WHITESPACE.lastIndex = this.position;
    const length = WHITESPACE.exec(this.source)![0].length;
    this.position += length;
    return length > 0;
  }

  private startsWith(text: string): boolean {
    return this.source.startsWith(text, this.position);
  }

  private expect(text: string): void {
    if (!this.startsWith(text)) this.fail(`expected '${text}'`);
    this.position += text.length;
  }

  private fail(message: string): never {
    const before = this.source.slice(0, this.position);
    const line = before.split('\n').length;
    const column = this.position - before.lastIndexOf('\n');
    throw new XmlSyntaxError(`XML: ${message} (line ${line}, column ${column})`);
  }
}
