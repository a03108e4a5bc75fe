/**
 * Property-based: whatever text arrives as a baseline or exclusions document, the parsers
 * either return a value or throw their own BAD_INPUT error, with a message that is
 * display-safe and bounded. Never a crash of another kind, never a raw control character.
 */
import fc from 'fast-check';
import { parseBaseline } from '../../../../lambdas/audit/drift/baseline';
import { parseExclusions } from '../../../../lambdas/audit/drift/exclusions';
import { MAX_LISTED_PROBLEMS } from '../../../../lambdas/audit/drift/json-document';
import { errorKindOf, BaselineError, ExclusionsError } from '../../../../lambdas/audit/errors';
import { isDisplaySafe } from '../../../support/is-display-safe';

const SOURCE = 's3://bucket/config/doc.json';
// Every problem is cut to 400 characters and at most MAX_LISTED_PROBLEMS are listed.
const MAX_MESSAGE = 100 + (MAX_LISTED_PROBLEMS + 1) * 402;

/** Strings rich in what hurts: controls, bidi overrides, `__proto__`, long runs. */
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('__proto__', 'constructor', 'version', 'targets', 'exclusions', 'targetId', 'r-ab12', '\u202e'),
  fc.constantFrom('\u001b[2J', '\r\nFAKE', '\u0007', '\u009b31m', '\u2028', '\ufeff'),
  fc.string({ minLength: 500, maxLength: 3000 }),
);

/** JSON text built by hand so keys can repeat; nesting and width are bounded by fast-check's depth control. */
const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('null', 'true', '1', '-0.5e3', '1'),
    hostileString.map((s) => JSON.stringify(s)),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
    fc
      .array(fc.tuple(hostileString, tie('value')), { maxLength: 5 })
      .chain((entries) =>
        // Repeat some keys on purpose: JSON.parse would silently keep the last one.
        fc.boolean().map((dup) => (dup && entries.length > 0 ? [...entries, entries[0]] : entries)),
      )
      .map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
})).value;

/** Documents shaped almost right, so parsing gets past the shape checks into the details. */
const nearBaseline = fc
  .array(
    fc.tuple(
      hostileString,
      fc.oneof(
        hostileString.map((s) => JSON.stringify(s)),
        jsonText,
      ),
    ),
    { maxLength: 30 },
  )
  .map((entries) => `{"version":1,"targets":{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}}`);

const nearExclusions = fc
  .array(fc.record({ targetId: hostileString, reason: hostileString, expires: hostileString }), { maxLength: 20 })
  .map((entries) => JSON.stringify({ version: 1, exclusions: entries }));

/** Deep or broken nesting. */
const deepText = fc
  .tuple(fc.integer({ min: 1, max: 5000 }), fc.constantFrom('[', '{"a":', '[{"x":'), fc.boolean())
  .map(([n, open, close]) => open.repeat(n) + (close ? '1' + (open === '[' ? ']' : '}').repeat(n) : ''));

const anyDocument = fc.oneof(jsonText, nearBaseline, nearExclusions, deepText, fc.string({ unit: 'binary' }));

function checkRejection(error: unknown, type: typeof BaselineError | typeof ExclusionsError): void {
  expect(error).toBeInstanceOf(type);
  expect(errorKindOf(error)).toBe('BAD_INPUT');
  const message = (error as Error).message;
  expect(isDisplaySafe(message)).toBe(true);
  expect(message.length).toBeLessThanOrEqual(MAX_MESSAGE);
}

describe('document parsers on arbitrary input', () => {
  it('parseBaseline returns a baseline or throws a bounded, display-safe BaselineError', () => {
    fc.assert(
      fc.property(fc.oneof(anyDocument, nearBaseline), (text) => {
        try {
          parseBaseline(text, SOURCE);
        } catch (error) {
          checkRejection(error, BaselineError);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('parseExclusions returns exclusions or throws a bounded, display-safe ExclusionsError', () => {
    fc.assert(
      fc.property(fc.oneof(anyDocument, nearExclusions), (text) => {
        try {
          parseExclusions(text, SOURCE);
        } catch (error) {
          checkRejection(error, ExclusionsError);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('never accepts an object with a repeated key, wherever it is', () => {
    fc.assert(
      fc.property(fc.constantFrom('r-ab12', '111122223333', 'version', 'targets'), fc.nat({ max: 3 }), (key, depth) => {
        const inner = `{"${key}":"SELF_MANAGED","${key}":"SELF_MANAGED"}`;
        const text =
          depth === 0
            ? `{"version":1,"targets":${inner}}`
            : `{"version":1,"targets":{},"x":${'['.repeat(depth)}${inner}${']'.repeat(depth)}}`;
        expect(() => parseBaseline(text, SOURCE)).toThrow(/duplicate key/);
      }),
    );
  });
});
