import fc from 'fast-check';
import { displaySafe, listBounded } from '../../../../lambdas/audit/util/display-text';
import { isDisplaySafe } from '../../../support/is-display-safe';

describe('displaySafe', () => {
  it('shows control characters as visible escapes', () => {
    expect(displaySafe('a\u001b[2Jb')).toBe('a\\x1b[2Jb');
    expect(displaySafe('line1\r\nFAKE: ok')).toBe('line1\\x0d\\x0aFAKE: ok');
    expect(displaySafe('bell\u0007 c1\u009b del\u007f')).toBe('bell\\x07 c1\\x9b del\\x7f');
  });

  it('shows bidirectional overrides and invisible format characters as escapes', () => {
    expect(displaySafe('abc\u202edcba')).toBe('abc\\u202edcba');
    expect(displaySafe('x\u2066y\u200bz\ufeff')).toBe('x\\u2066y\\u200bz\\ufeff');
  });

  it('cuts long values after escaping, never inside an escape', () => {
    expect(displaySafe('x'.repeat(300))).toBe(`${'x'.repeat(200)}…`);
    expect(displaySafe('\u001b'.repeat(10), 8)).toBe('\\x1b\\x1b…');
  });

  it('renders non-strings', () => {
    expect(displaySafe(42)).toBe('42');
    expect(displaySafe(null)).toBe('null');
  });

  it('never lets a control or bidi character through', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.integer({ min: 1, max: 500 }), (value, max) => {
        const shown = displaySafe(value, max);
        expect(isDisplaySafe(shown)).toBe(true);
        expect(shown.length).toBeLessThanOrEqual(max + 1);
      }),
    );
  });
});

describe('listBounded', () => {
  it('lists at most max items, then says how many more', () => {
    expect(listBounded(['a', 'b', 'c'], 2)).toBe('a, b and 1 more');
    expect(listBounded(['a', 'b'], 2)).toBe('a, b');
  });

  it('escapes each item', () => {
    expect(listBounded(['\u001b'])).toBe('\\x1b');
  });
});
