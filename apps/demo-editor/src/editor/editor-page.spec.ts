import { Script } from 'node:vm';
import { renderValidatorPage } from '../validator/validator-page';
import { renderEditorPage } from './editor-page';

/** The inline scripts of a page, as the browser would run them. */
function scriptsOf(html: string, nonce: string): string[] {
  return [...html.matchAll(new RegExp(`<script nonce="${nonce}">([\\s\\S]*?)</script>`, 'g'))].map((m) => m[1]!);
}

describe('frame pages', () => {
  it('carry scripts that parse, with their settings in a JSON block no text can break out of', () => {
    const editor = renderEditorPage({
      nonce: 'n1',
      title: 'Demo editor',
      config: { sessionId: '</script><script>alert(1)</script>', action: 'edit', pollMs: 3000, refreshLockMs: 600000 },
    });
    const validator = renderValidatorPage({
      nonce: 'n2',
      frameId: 'f',
      wopiSrc: 'http://gateway.test/wopi/files/<x>',
      hostOrigin: 'http://gateway.test',
      available: true,
    });
    for (const [html, nonce] of [
      [editor, 'n1'],
      [validator, 'n2'],
    ] as const) {
      const scripts = scriptsOf(html, nonce);
      expect(scripts).toHaveLength(1);
      expect(() => new Script(scripts[0]!)).not.toThrow();
    }
    expect(editor).not.toContain('</script><script>alert(1)');
    expect(validator).toContain('http://gateway.test/wopi/files/&lt;x&gt;');
  });
});
