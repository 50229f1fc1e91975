// Text inside XML parts, edited in place: the markup around the text stays as it was, so a
// rewritten package keeps its styles, relationships and everything this editor does not show.

export function escapeXmlText(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      // Characters XML 1.0 cannot carry at all (a pasted control character would break the part).
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
  );
}

export function unescapeXmlText(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, entity: string) => {
    switch (entity) {
      case 'amp':
        return '&';
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      default:
        return String.fromCodePoint(
          entity.startsWith('#x') ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10),
        );
    }
  });
}

/** The value of one attribute of an opening tag, unescaped; undefined when absent. */
export function attributeOf(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name.replace(/[.:]/g, '\\$&')}="([^"]*)"`).exec(tag);
  return match ? unescapeXmlText(match[1]!) : undefined;
}

/**
 * How one XML vocabulary writes paragraphs of runs of text (WordprocessingML `w:p`/`w:t`,
 * DrawingML `a:p`/`a:t`): the text of a paragraph is its text elements joined; new text goes into
 * the first text element (the others are emptied), so the first run's formatting carries it.
 */
export interface RunParagraphs {
  /** Every paragraph element, self-closing ones included. */
  paragraph: RegExp;
  /** Every text element of a paragraph, self-closing ones included. */
  textElement: RegExp;
  /** A text element holding `escaped`. */
  textElementOf(escaped: string): string;
  /** A new run holding `escaped`, for a paragraph without any text element. */
  runOf(escaped: string): string;
  /** The element a new run must precede, if the paragraph has one (DrawingML's `a:endParaRPr`). */
  runsEndBefore?: RegExp;
  closingTag: string;
}

export function runParagraphText(paragraph: string, dialect: RunParagraphs): string {
  let text = '';
  for (const match of paragraph.matchAll(dialect.textElement)) {
    const content = /^<[^>]*[^/]>([\s\S]*)<\/[^>]+>$/.exec(match[0]);
    if (content) text += unescapeXmlText(content[1]!);
  }
  return text;
}

export function withRunParagraphText(paragraph: string, text: string, dialect: RunParagraphs): string {
  const escaped = escapeXmlText(text);
  let first = true;
  let found = false;
  const replaced = paragraph.replace(dialect.textElement, () => {
    found = true;
    const element = first ? dialect.textElementOf(escaped) : dialect.textElementOf('');
    first = false;
    return element;
  });
  if (found || text === '') return replaced;
  const selfClosing = /^(<[^>]*?)\s*\/>$/.exec(paragraph);
  if (selfClosing) return `${selfClosing[1]}>${dialect.runOf(escaped)}${dialect.closingTag}`;
  const end = dialect.runsEndBefore?.exec(paragraph)?.index ?? paragraph.lastIndexOf(dialect.closingTag);
  return paragraph.slice(0, end) + dialect.runOf(escaped) + paragraph.slice(end);
}
