import { registerDecorator, type ValidationArguments } from 'class-validator';

/**
 * Whether a string is text a person or a core app could mean: well-formed UTF-16 (every surrogate
 * in a pair) and no control character: C0, DEL, C1, or the Unicode line and paragraph separators.
 * None belongs in a reference, an id, a language tag or a URL, and each can split a log line, a
 * header or a query.
 */
export function isPlainText(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  for (let index = 0; index < value.length; index += 1) {
    const unit = value.charCodeAt(index);
    if (unit < 0x20 || (unit >= 0x7f && unit <= 0x9f) || unit === 0x2028 || unit === 0x2029) return false;
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(index + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      index += 1; // the pair's low half
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/**
 * Refuses strings with a lone surrogate (JSON can carry `"\ud800"`, which no UTF-8 encoder,
 * URL encoder or PostgreSQL text column accepts) or a control character (a NUL is refused by
 * PostgreSQL, a line break splits log lines). Without it such input reached those layers as a 500.
 */
export function IsPlainText(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isPlainText',
      target: target.constructor,
      propertyName: String(propertyName),
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || isPlainText(value),
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property} must be well-formed text without control characters`,
      },
    });
}
