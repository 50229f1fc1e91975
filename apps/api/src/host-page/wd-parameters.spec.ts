import { withWdParameters } from './wd-parameters';

describe('withWdParameters', () => {
  const action =
    'https://word-edit.example/we/wordeditorframe.aspx?ui=de-DE&WOPISrc=https%3A%2F%2Fgw%2Fwopi%2Ffiles%2Fa';

  it('passes wd* parameters through unchanged and nothing else', () => {
    expect(withWdParameters(action, 'ticket=abc&wdPreviousSession=x%2By&other=1&wdOrigin=OFFICECOM-WEB.START')).toBe(
      `${action}&wdPreviousSession=x%2By&wdOrigin=OFFICECOM-WEB.START`,
    );
  });

  it('leaves the action URL alone without wd* parameters', () => {
    expect(withWdParameters(action, 'ticket=abc')).toBe(action);
    expect(withWdParameters(action, '')).toBe(action);
  });

  it('starts a query string where there is none and keeps a fragment last', () => {
    expect(withWdParameters('https://c.example/edit#frag', 'wdA=1')).toBe('https://c.example/edit?wdA=1#frag');
    expect(withWdParameters('https://c.example/edit?', 'wdA=1')).toBe('https://c.example/edit?wdA=1');
  });

  it('does not take parameters that only contain "wd"', () => {
    expect(withWdParameters(action, 'xwdA=1&w=2&wd=3')).toBe(`${action}&wd=3`);
  });
});
