// UTF-7 (RFC 2152), which WOPI uses for file names in headers: X-WOPI-SuggestedTarget,
// X-WOPI-RelativeTarget, X-WOPI-RequestedName and the X-WOPI-ValidRelativeTarget response header
// (rest/files/PutRelativeFile.rst, RenameFile.rst).

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUES: ReadonlyMap<string, number> = new Map([...BASE64_ALPHABET].map((char, index) => [char, index]));

// What the encoder writes literally: RFC 2152 Set D plus space, tab, CR and LF. Set O (! " # $ % & * ; < = >
// @ [ ] ^ _ ` { | }) may be direct too, but .NET's UTF7Encoding (which Office and the validator use)
// base64-encodes it, and so do we: a reader can never mistake those for anything else.
const DIRECT_CHARACTERS = new Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'(),-./:? \t\r\n");

const UNPAIRED_SURROGATE = /\p{Cs}/u;

/** Encodes text as UTF-7; throws a RangeError for text that is not well-formed UTF-16. */
export function encodeUtf7(text: string): string {
  if (UNPAIRED_SURROGATE.test(text)) throw new RangeError('UTF-7: the text contains an unpaired surrogate');
  let encoded = '';
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    if (DIRECT_CHARACTERS.has(char)) {
      encoded += char;
      index += 1;
    } else if (char === '+') {
      encoded += '+-';
      index += 1;
    } else {
      let end = index + 1;
      while (end < text.length && !DIRECT_CHARACTERS.has(text[end]) && text[end] !== '+') end += 1;
      // Always close the run with '-': the next character may be a base64 letter or '-' itself.
      encoded += `+${base64OfUtf16(text.slice(index, end))}-`;
      index = end;
    }
  }
  return encoded;
}

/**
 * Decodes UTF-7 strictly; throws a SyntaxError for input that is not UTF-7: a non-ASCII character,
 * '+' followed by neither base64 nor '-', a base64 run that leaves a partial character or non-zero
 * padding bits, or a result that is not well-formed UTF-16.
 */
export function decodeUtf7(encoded: string): string {
  let decoded = '';
  let index = 0;
  while (index < encoded.length) {
    const char = encoded[index];
    if (char.charCodeAt(0) > 0x7f) throw new SyntaxError(`UTF-7: non-ASCII character at position ${index}`);
    if (char !== '+') {
      decoded += char;
      index += 1;
      continue;
    }
    let cursor = index + 1;
    if (encoded[cursor] === '-') {
      decoded += '+';
      index = cursor + 1;
      continue;
    }
    let bits = 0;
    let bitCount = 0;
    let value = BASE64_VALUES.get(encoded[cursor]);
    while (value !== undefined) {
      bits = (bits << 6) | value;
      bitCount += 6;
      if (bitCount >= 16) {
        bitCount -= 16;
        decoded += String.fromCharCode(bits >>> bitCount);
        bits &= (1 << bitCount) - 1;
      }
      cursor += 1;
      value = BASE64_VALUES.get(encoded[cursor]);
    }
    if (cursor === index + 1) throw new SyntaxError(`UTF-7: '+' at position ${index} starts an empty shift sequence`);
    // A run ends on a 16-bit boundary plus at most 4 zero padding bits (RFC 2152, rule 2).
    if (bitCount >= 6 || bits !== 0) throw new SyntaxError(`UTF-7: the base64 run at position ${index} is truncated`);
    // '-' ends a run and is absorbed; any other character ends it and is read as itself.
    index = encoded[cursor] === '-' ? cursor + 1 : cursor;
  }
  if (UNPAIRED_SURROGATE.test(decoded)) throw new SyntaxError('UTF-7: the decoded text contains an unpaired surrogate');
  return decoded;
}

/** Modified base64 of UTF-16BE code units: standard alphabet, no '=' padding (RFC 2152, rule 2). */
function base64OfUtf16(run: string): string {
  return Buffer.from(run, 'utf16le').swap16().toString('base64').replace(/=+$/, '');
}
