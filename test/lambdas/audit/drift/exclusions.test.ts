import { isCalendarDate, parseExclusions } from '../../../../lambdas/audit/drift/exclusions';
import { L1, TOP } from './fixtures';
import { ExclusionsError } from '../../../../lambdas/audit/errors';

const SOURCE = 's3://bucket/config/exclusions.json';

function errorOf(text: string): ExclusionsError {
  try {
    parseExclusions(text, SOURCE);
  } catch (error) {
    expect(error).toBeInstanceOf(ExclusionsError);
    return error as ExclusionsError;
  }
  throw new Error('expected parseExclusions to throw');
}

const doc = (exclusions: unknown[]) => JSON.stringify({ version: 1, exclusions });

describe('parseExclusions', () => {
  it('reads entries in order and trims reasons', () => {
    expect(
      parseExclusions(
        doc([
          { targetId: TOP, reason: '  Sandbox, CHG-42 ', expires: '2026-12-31' },
          { targetId: L1, reason: 'Migration', expires: '2028-02-29' },
        ]),
        SOURCE,
      ),
    ).toEqual([
      { targetId: TOP, reason: 'Sandbox, CHG-42', expires: '2026-12-31' },
      { targetId: L1, reason: 'Migration', expires: '2028-02-29' },
    ]);
    expect(parseExclusions(doc([]), SOURCE)).toEqual([]);
  });

  it('names the source on malformed JSON', () => {
    const error = errorOf('{"version":1,"exclusions":[');
    expect(error.message).toMatch(/^Invalid exclusions s3:\/\/bucket\/config\/exclusions\.json: not valid JSON/);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it.each([
    ['"x"', '(document): expected a JSON object'],
    ['{"version":1}', 'exclusions: required: an array of exclusions'],
    ['{"version":1,"exclusions":{}}', 'exclusions: expected an array of exclusions'],
    ['{"version":"1","exclusions":[]}', 'version: unsupported version "1"; expected 1'],
    ['{"version":1,"exclusions":[7]}', 'exclusions[0]: expected an object { "targetId", "reason", "expires" }'],
  ])('rejects the shape %s', (text, problem) => {
    expect(errorOf(text).message).toContain(problem);
  });

  it('lists every bad field with its exact path', () => {
    const message = errorOf(
      doc([
        { targetId: 'acct-1', reason: '   ', expires: '2026-02-30' },
        { targetId: TOP, reason: 'ok', expires: '31/12/2026', note: 'x' },
        {},
      ]),
    ).message;
    expect(message).toContain(
      'exclusions[0].targetId: expected a root (r-…), OU (ou-…-…) or 12-digit account id, got "acct-1"',
    );
    expect(message).toContain('exclusions[0].reason: expected a non-empty reason');
    expect(message).toContain('exclusions[0].expires: expected a calendar date YYYY-MM-DD, got "2026-02-30"');
    expect(message).toContain('exclusions[1].expires: expected a calendar date YYYY-MM-DD, got "31/12/2026"');
    expect(message).toContain('exclusions[1]: Unrecognized key: "note"');
    expect(message).toContain('exclusions[2].targetId: required: a root (r-…), OU (ou-…-…) or 12-digit account id');
    expect(message).toContain('exclusions[2].reason: required: a non-empty reason');
    expect(message).toContain('exclusions[2].expires: required: a date YYYY-MM-DD');
  });

  it('rejects duplicate targets, naming both entries', () => {
    const message = errorOf(
      doc([
        { targetId: TOP, reason: 'a', expires: '2026-12-31' },
        { targetId: L1, reason: 'b', expires: '2026-12-31' },
        { targetId: TOP, reason: 'c', expires: '2027-12-31' },
      ]),
    ).message;
    expect(message).toContain(`exclusions[2].targetId: duplicate exclusion for ${TOP} (already at exclusions[0])`);
  });

  it('rejects a wrongly typed reason', () => {
    expect(errorOf(doc([{ targetId: TOP, reason: 5, expires: '2026-12-31' }])).message).toContain(
      'exclusions[0].reason: expected a non-empty reason, got 5',
    );
  });
});

describe('isCalendarDate', () => {
  it.each([
    ['2028-02-29', true],
    ['2026-02-29', false],
    ['2026-04-31', false],
    ['2026-13-01', false],
    ['2026-00-10', false],
    ['2026-1-01', false],
    ['2026-12-31T00:00:00Z', false],
  ])('%s → %s', (value, expected) => {
    expect(isCalendarDate(value)).toBe(expected);
  });
});

describe('parseExclusions on hostile documents', () => {
  it('rejects a duplicate field inside an entry, naming the key and the entry', () => {
    const text = `{"version":1,"exclusions":[\n{"targetId":"${TOP}","reason":"a","expires":"2026-12-31",\n"expires":"2099-12-31"}]}`;
    const error = errorOf(text);
    expect(error.kind).toBe('BAD_INPUT');
    expect(error.message).toBe(
      `Invalid exclusions ${SOURCE}: exclusions[0]: duplicate key "expires" (lines 2 and 3); keep one`,
    );
  });

  it('rejects a __proto__ key in an entry', () => {
    const text = `{"version":1,"exclusions":[{"targetId":"${TOP}","reason":"a","expires":"2026-12-31","__proto__":{}}]}`;
    expect(errorOf(text).message).toContain('exclusions[0]: key "__proto__" is not allowed');
  });

  it('bounds nesting depth', () => {
    expect(errorOf(`{"version":1,"exclusions":${'['.repeat(100)}`).message).toMatch(
      /: nested deeper than 16 levels at exclusions\[0\]/,
    );
  });

  it('shows a hostile reason or date display-safe and short', () => {
    const message = errorOf(
      doc([{ targetId: TOP, reason: 'ok', expires: `\u009b2J\r\nFAKE LINE${'9'.repeat(500)}` }]),
    ).message;
    expect(message).not.toMatch(/[\r\n\u009b]/);
    expect(message).toContain('got "\\x9b2J\\r\\nFAKE LINE');
    expect(message.length).toBeLessThan(250);
  });
});
