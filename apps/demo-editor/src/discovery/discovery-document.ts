import type { DocumentFormat } from '../documents/document-text';
import type { PublishedProofKey } from '../proof-keys/proof-key-pair-store';

/** The apps of the demo editor's discovery, with the file types each opens (view and edit). */
const APPS: readonly { name: string; formats: readonly DocumentFormat[] }[] = [
  { name: 'Word', formats: ['docx', 'odt', 'txt'] },
  { name: 'Excel', formats: ['xlsx'] },
  { name: 'PowerPoint', formats: ['pptx'] },
];

/** The placeholders the editor reads back; every other one the host removes (discovery.rst). */
const URL_PLACEHOLDERS = '<ui=UI_LLCC&><rs=DC_LLCC&><hid=HOST_SESSION_ID&>';

/**
 * The discovery document (online/discovery.rst) of the demo editor: its action URLs per file type
 * and its proof keys, current and old, in both forms Office publishes (CryptoAPI blob, and modulus
 * with exponent). The gateway reads it exactly as it reads Office's.
 */
export function discoveryDocument(input: {
  publicUrl: string;
  keys: { current: PublishedProofKey; old: PublishedProofKey };
}): string {
  const apps = APPS.map((app) => {
    const actions = app.formats
      .flatMap((ext) =>
        (['view', 'edit'] as const).map(
          (action) =>
            `      <action name="${action}" ext="${ext}" ${action === 'view' ? 'default="true" ' : ''}` +
            `${action === 'edit' ? 'requires="locks,update" ' : ''}` +
            `urlsrc="${attribute(`${input.publicUrl}/editor/${action}?${URL_PLACEHOLDERS}`)}"/>`,
        ),
      )
      .join('\n');
    return (
      `    <app name="${app.name}" favIconUrl="${attribute(`${input.publicUrl}/favicon.svg`)}" checkLicense="false">\n` +
      `${actions}\n    </app>`
    );
  }).join('\n');
  const { current, old } = input.keys;
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    '<wopi-discovery>\n' +
    '  <net-zone name="external-http">\n' +
    `${apps}\n` +
    '  </net-zone>\n' +
    `  <proof-key oldvalue="${old.value}" oldmodulus="${old.modulus}" oldexponent="${old.exponent}" ` +
    `value="${current.value}" modulus="${current.modulus}" exponent="${current.exponent}"/>\n` +
    '</wopi-discovery>\n'
  );
}

function attribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
