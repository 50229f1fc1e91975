import { isPlainText } from './plain-text.validator';

describe('isPlainText', () => {
  it.each(['doc-1', 'Résumé 2024.docx', '日本語', 'emoji 😀 pair', 'https://core.example/a?b=c'])(
    'accepts %s',
    (text) => {
      expect(isPlainText(text)).toBe(true);
    },
  );

  it.each([
    ['a lone high surrogate', 'a\ud800b'],
    ['a trailing high surrogate', 'ab\ud83d'],
    ['a lone low surrogate', '\ude00ab'],
    ['reversed surrogates', '\ude00\ud83d'],
    ['NUL', 'a\u0000b'],
    ['a line break', 'a\nb'],
    ['DEL', 'a\u007fb'],
    ['a C1 control', 'a\u0085b'],
    ['a line separator', 'a\u2028b'],
  ])('refuses %s', (_what, text) => {
    expect(isPlainText(text)).toBe(false);
  });
});
