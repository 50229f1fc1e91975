import { DemoCoreErrorCode } from '../demo-core.error';
import { formatEntityTag, ifMatchSatisfied, parseIfMatch } from './entity-tag';

describe('If-Match', () => {
  it('round-trips a version through an entity tag', () => {
    expect(ifMatchSatisfied(parseIfMatch(formatEntityTag('12')), '12')).toBe(true);
  });

  it.each([
    ['"3"', '3', true],
    ['"3"', '4', false],
    ['"2", "3"', '3', true],
    ['*', '99', true],
    ['W/"3"', '3', false],
    ['  "3"  ', '3', true],
  ])('%s against version %s -> %s', (header, version, expected) => {
    expect(ifMatchSatisfied(parseIfMatch(header), version)).toBe(expected);
  });

  it.each(['3', '"3', '', '"a"b"', '"3",'])('rejects the malformed header %j as a bad request', (header) => {
    expect(() => parseIfMatch(header)).toThrow(expect.objectContaining({ code: DemoCoreErrorCode.BadRequest }));
  });
});
