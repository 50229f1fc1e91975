import type { AttributeValue, Attributes } from '@opentelemetry/api';
import type { Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

export const REDACTED = '[Redacted]';

/**
 * Query parameters whose value is a secret: WOPI access tokens, launch tickets, API keys. The name
 * is matched in any case and with any of its characters percent-encoded (`access%5Ftoken`,
 * `%61ccess_token`), as a client or proxy may send it; `access_token_ttl` is not a secret and is
 * left alone because the name must end at `=`.
 */
const SECRET_PARAM_NAMES = ['access_token', 'ticket', 'api_key'];

const encodedChar = (char: string) => {
  const hex = char.charCodeAt(0).toString(16);
  const escaped = char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return `(?:${escaped}|%${hex[0]}[${hex[1].toLowerCase()}${hex[1].toUpperCase()}])`;
};

const SECRET_QUERY_PARAMS = new RegExp(
  `((?:^|[?&;])(?:${SECRET_PARAM_NAMES.map((name) => [...name].map(encodedChar).join('')).join('|')})(?:=|%3d))[^&#;\\s"']*`,
  'gi',
);

/** Gateway API keys (`wgk_<id>_<secret>`): never logged or exported, wherever they appear. */
const API_KEY = /\bwgk_[A-Za-z0-9_-]{8,}/g;

/** `Bearer <token>` inside free text (an error message quoting a header, say). */
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi;

/** Removes secrets that travel in URLs or text: access tokens, tickets, API keys, bearer tokens. */
export function redactSecrets(text: string): string {
  return text.replace(SECRET_QUERY_PARAMS, `$1${REDACTED}`).replace(API_KEY, REDACTED).replace(BEARER, `$1${REDACTED}`);
}

/** Removes secrets that travel in URLs (WOPI puts access_token in the query string). */
export function redactUrl(url: string | undefined): string | undefined {
  return url === undefined ? undefined : redactSecrets(url);
}

/**
 * Attribute keys whose value is a credential outright: captured request headers (the HTTP
 * instrumentation names them http.request.header.<name>) carrying tokens, proofs, keys or cookies.
 */
const SECRET_ATTRIBUTE_KEY = /(?:authorization|cookie|x-wopi-proof|x-api-key|api[-_.]?key|credential|password|secret)/i;

function redactValue(value: AttributeValue): AttributeValue {
  if (typeof value === 'string') return redactSecrets(value);
  if (Array.isArray(value))
    return value.map((item) => (typeof item === 'string' ? redactSecrets(item) : item)) as AttributeValue;
  return value;
}

/** A copy of `attributes` with every secret removed; the same object when there was none. */
export function redactAttributes(attributes: Attributes): Attributes {
  let changed: Attributes | undefined;
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    const redacted = SECRET_ATTRIBUTE_KEY.test(key) ? REDACTED : redactValue(value);
    if (redacted !== value && JSON.stringify(redacted) !== JSON.stringify(value)) {
      changed ??= { ...attributes };
      changed[key] = redacted;
    }
  }
  return changed ?? attributes;
}

/**
 * Runs first among the span processors, as each span ends and while it can still be changed:
 * every string attribute (url.query, url.full, http.target, http.url, db.statement, exception
 * messages...) and the span name lose their secrets before any exporter sees them. Scanning every
 * attribute, not a list of known keys, keeps a new instrumentation from leaking a token.
 */
export class SecretRedactingSpanProcessor implements SpanProcessor {
  onStart(): void {}

  onEnding(span: Span): void {
    const redacted = redactAttributes(span.attributes);
    if (redacted !== span.attributes) span.setAttributes(redacted);
    const name = redactSecrets(span.name);
    if (name !== span.name) span.updateName(name);
    for (const event of span.events) {
      if (!event.attributes) continue;
      const eventAttributes = redactAttributes(event.attributes);
      if (eventAttributes !== event.attributes) (event as { attributes?: Attributes }).attributes = eventAttributes;
    }
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
