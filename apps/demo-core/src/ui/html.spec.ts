import { escapeHtml, html } from './html';

// Not called `html` here: Prettier reformats the contents of templates tagged `html`, and these
// tests compare exact strings.
const tag = html;

describe('html', () => {
  it('escapes interpolated text', () => {
    expect(tag`<p>${'<script>alert("x")</script> & \'y\''}</p>`.value).toBe(
      '<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;</p>',
    );
  });

  it('keeps nested fragments and joins lists', () => {
    const items = ['a<b', 'c'].map((name) => tag`<li>${name}</li>`);
    expect(tag`<ul>${items}</ul>`.value).toBe('<ul><li>a&lt;b</li><li>c</li></ul>');
  });

  it('renders nothing for null, undefined and false', () => {
    expect(tag`${null}${undefined}${false}${0}`.value).toBe('0');
  });

  it('escapes quotes for attributes', () => {
    expect(escapeHtml(`" onmouseover="x`)).toBe('&quot; onmouseover=&quot;x');
  });
});
