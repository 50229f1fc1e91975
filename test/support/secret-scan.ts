/**
 * Finds secrets in what the gateway wrote or exported (log lines, OTLP exports, any text):
 * the exact values a test handed out (access tokens, API keys, core-app credentials, proof
 * headers), in plain, URL-encoded and base64 form, and anything shaped like one whatever its
 * value: an `access_token` query parameter (in any encoded spelling) whose value is not redacted,
 * a gateway API key (`wgk_…`), a bearer token, a signed JWT (every access token is one, ADR 0006),
 * a WOPI proof header's value, a PEM private key. Used by suites that want to prove their own run
 * leaked nothing, and by test/setup/run-log-check.ts over everything a whole Jest run logged.
 */
export interface SecretFinding {
  /** What was found: the name given to a known secret, or the pattern's name. */
  what: string;
  /** Where: the label of the scanned text (a log stream, an export path). */
  where: string;
  /** The surroundings, with the secret itself masked, for the failure message. */
  excerpt: string;
  /** Where in the scanned text the secret starts. */
  offset: number;
}

const PATTERNS: { what: string; pattern: RegExp }[] = [
  {
    what: 'access_token query parameter',
    // access_token, access%5Ftoken, %61ccess_token...: any case, any character percent-encoded.
    pattern:
      /(?:a|%61)(?:c|%63)(?:c|%63)(?:e|%65)(?:s|%73)(?:s|%73)(?:_|%5f)(?:t|%74)(?:o|%6f)(?:k|%6b)(?:e|%65)(?:n|%6e)(?:=|%3d)(?!\[Redacted\]|%5BRedacted%5D)[A-Za-z0-9._~%-]{8,}/gi,
  },
  { what: 'gateway API key', pattern: /wgk_[A-Za-z0-9_-]{8,}/g },
  { what: 'bearer token', pattern: /Bearer\s+(?!\[Redacted\])[A-Za-z0-9._~+/=-]{12,}/gi },
  {
    // header.payload.signature, both JSON objects base64url-encoded (so starting `eyJ`): an access
    // token, or any other signed JWT, whoever issued it. Nothing the gateway logs legitimately has
    // this shape; an unsigned one (`alg: none`, empty signature) is no secret and is not matched.
    what: 'JWT',
    pattern: /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/g,
  },
  {
    // X-WOPI-Proof / X-WOPI-ProofOld: an RSA signature, base64 (344 characters for 2048 bits).
    // The value may follow the name closely (a header dump) or a little later (an OTLP attribute's
    // key and value in JSON or protobuf); "[Redacted]" is not base64 of that length.
    what: 'WOPI proof header',
    pattern: /x-wopi-proof(?:old)?(?![A-Za-z0-9-])[\s\S]{0,80}?(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{100,}={0,2}/gi,
  },
  { what: 'private key', pattern: /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/g },
];

export class SecretScanner {
  private readonly known = new Map<string, string>();

  /** Adds a secret value the run handed out; it must appear nowhere (nor URL-encoded, nor base64). */
  add(what: string, value: string | undefined): this {
    if (!value || value.length < 8) return this;
    for (const form of [value, encodeURIComponent(value), Buffer.from(value).toString('base64')])
      this.known.set(form, what);
    return this;
  }

  scan(where: string, text: string | Buffer): SecretFinding[] {
    const haystack = typeof text === 'string' ? text : text.toString('latin1');
    const findings: SecretFinding[] = [];
    const excerpt = (index: number, length: number) =>
      `${haystack.slice(Math.max(0, index - 60), index)}<<secret>>${haystack.slice(index + length, index + length + 40)}`;
    for (const [value, what] of this.known) {
      const index = haystack.indexOf(value);
      if (index >= 0) findings.push({ what, where, excerpt: excerpt(index, value.length), offset: index });
    }
    for (const { what, pattern } of PATTERNS) {
      for (const match of haystack.matchAll(pattern))
        findings.push({ what, where, excerpt: excerpt(match.index!, match[0].length), offset: match.index! });
    }
    return findings;
  }

  /** Scans every labelled text; the findings, or an empty list when nothing leaked. */
  scanAll(texts: { where: string; text: string | Buffer }[]): SecretFinding[] {
    return texts.flatMap(({ where, text }) => this.scan(where, text));
  }
}
