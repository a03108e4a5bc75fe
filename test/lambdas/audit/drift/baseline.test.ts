import { SELF_MANAGED } from '../../../../lambdas/audit/model';
import { parseBaseline } from '../../../../lambdas/audit/drift/baseline';
import { MAX_DOCUMENT_BYTES, MAX_JSON_DEPTH, MAX_LISTED_PROBLEMS } from '../../../../lambdas/audit/drift/json-document';
import { DEEP, L1, P1, P2, ROOT, TOP, deepOrg } from './fixtures';
import { BaselineError, MAX_LISTED_UNKNOWN_IDS, UnknownTargetsError } from '../../../../lambdas/audit/errors';
import { checkKnownTargets } from '../../../../lambdas/audit/drift/known-targets';
import { isDisplaySafe } from '../../../support/is-display-safe';

const SOURCE = 's3://bucket/config/baseline.json';

function errorOf(text: string): BaselineError {
  try {
    parseBaseline(text, SOURCE);
  } catch (error) {
    expect(error).toBeInstanceOf(BaselineError);
    return error as BaselineError;
  }
  throw new Error('expected parseBaseline to throw');
}

describe('parseBaseline', () => {
  it('reads targets into a map and normalises SELF_MANAGED', () => {
    const baseline = parseBaseline(
      JSON.stringify({
        version: 1,
        targets: { [ROOT]: P1, [L1]: 'SELF_MANAGED', [TOP]: SELF_MANAGED, [DEEP]: P2.toUpperCase() },
      }),
      SOURCE,
    );
    expect([...baseline]).toEqual([
      [ROOT, P1],
      [L1, SELF_MANAGED],
      [TOP, SELF_MANAGED],
      [DEEP, P2],
    ]);
  });

  it('accepts an empty targets object and a byte-order mark', () => {
    expect(parseBaseline('\uFEFF{"version":1,"targets":{}}', SOURCE).size).toBe(0);
  });

  it('names the source on malformed JSON and keeps the cause', () => {
    const error = errorOf('{"version": 1, "targets": {');
    expect(error.message).toMatch(/^Invalid baseline s3:\/\/bucket\/config\/baseline\.json: not valid JSON \(/);
    expect(error.cause).toBeInstanceOf(SyntaxError);
    expect(error.source).toBe(SOURCE);
  });

  it.each([
    ['[]', '(document): expected a JSON object'],
    ['null', '(document): expected a JSON object'],
    ['{"targets":{}}', 'version: required: 1'],
    ['{"version":2,"targets":{}}', 'version: unsupported version 2; expected 1'],
    ['{"version":1}', 'targets: required: an object of target id to policy id'],
    ['{"version":1,"targets":[]}', 'targets: expected an object of target id to policy id'],
    ['{"version":1,"targets":{},"extra":true}', '(document): Unrecognized key: "extra"'],
  ])('rejects the shape %s', (text, problem) => {
    expect(errorOf(text).message).toContain(problem);
  });

  it('lists every bad id and policy with its exact path', () => {
    const message = errorOf(
      JSON.stringify({
        version: 1,
        targets: {
          'ou-ab12': P1,
          '12345678901': P1,
          'r-AB12': P1,
          [TOP]: 'not-a-uuid',
          [ROOT]: 42,
          [L1]: 'self_managed',
        },
      }),
    ).message;
    expect(message).toContain(
      'targets["ou-ab12"]: expected a root (r-…), OU (ou-…-…) or 12-digit account id, got "ou-ab12"',
    );
    expect(message).toContain('targets["12345678901"]: expected a root');
    expect(message).toContain('targets["r-AB12"]: expected a root');
    expect(message).toContain(
      `targets["${TOP}"]: expected a configuration policy UUID, "SELF_MANAGED" or "SELF_MANAGED_SECURITY_HUB", got "not-a-uuid"`,
    );
    expect(message).toContain(
      `targets["${ROOT}"]: expected a configuration policy UUID, "SELF_MANAGED" or "SELF_MANAGED_SECURITY_HUB", got 42`,
    );
    expect(message).toContain(`targets["${L1}"]: expected a configuration policy UUID`);
    expect(message.split('; ')).toHaveLength(6);
  });

  it('reports a bad key and a bad value of the same entry', () => {
    const message = errorOf('{"version":1,"targets":{"x":"y"}}').message;
    expect(message).toContain('targets["x"]: expected a root');
    expect(message).toContain('targets["x"]: expected a configuration policy UUID');
  });
});

describe('checkKnownTargets', () => {
  it('passes when every id is in the organization', () => {
    expect(() => checkKnownTargets([ROOT, DEEP], deepOrg(), SOURCE)).not.toThrow();
  });

  it('lists every unknown id once, in document order', () => {
    let caught: unknown;
    try {
      checkKnownTargets(['999999999999', ROOT, 'ou-ab12-zzzzzzzz', '999999999999'], deepOrg(), SOURCE);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UnknownTargetsError);
    const error = caught as UnknownTargetsError;
    expect(error.unknownIds).toEqual(['999999999999', 'ou-ab12-zzzzzzzz']);
    expect(error.message).toBe(`${SOURCE}: 2 target ids are not in the organization: 999999999999, ou-ab12-zzzzzzzz`);
    expect(error.source).toBe(SOURCE);
  });
});

describe('parseBaseline on hostile documents', () => {
  it('rejects a duplicate target id, naming the key, its path and both lines', () => {
    const text = `{"version": 1, "targets": {\n"${ROOT}": "${P1}",\n"${ROOT}": "${P2}"\n}}`;
    const error = errorOf(text);
    expect(error.kind).toBe('BAD_INPUT');
    expect(error.message).toBe(
      `Invalid baseline ${SOURCE}: targets: duplicate key "${ROOT}" (lines 2 and 3); keep one`,
    );
  });

  it('rejects a duplicate key at the top level and sees through escapes', () => {
    expect(errorOf('{"version":1,"targets":{},"\\u0076ersion":1}').message).toContain(
      '(document): duplicate key "version"',
    );
  });

  it('rejects a __proto__ key instead of dropping it', () => {
    expect(errorOf(`{"version":1,"targets":{"__proto__":"${P1}"}}`).message).toBe(
      `Invalid baseline ${SOURCE}: targets: key "__proto__" is not allowed`,
    );
    expect(errorOf('{"version":1,"targets":{},"__proto__":{}}').message).toContain(
      '(document): key "__proto__" is not allowed',
    );
  });

  it('bounds nesting depth, naming the document and the place', () => {
    const text = `{"version":1,"targets":{"x":${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}}}`;
    expect(errorOf(text).message).toMatch(
      new RegExp(
        `^Invalid baseline ${SOURCE.replace(/[./]/g, '\\$&')}: nested deeper than ${MAX_JSON_DEPTH} levels at targets\\["x"\\]`,
      ),
    );
    // A million levels: no stack overflow, the same typed error.
    expect(errorOf('['.repeat(1_000_000)).message).toContain(`nested deeper than ${MAX_JSON_DEPTH} levels`);
  });

  it('bounds the document size', () => {
    const text = `{"version":1,"targets":{},"pad":"${'x'.repeat(MAX_DOCUMENT_BYTES)}"}`;
    expect(errorOf(text).message).toBe(
      `Invalid baseline ${SOURCE}: too large: ${Buffer.byteLength(text)} bytes, at most ${MAX_DOCUMENT_BYTES} accepted`,
    );
  });

  it('echoes only a short, display-safe prefix of a bad value', () => {
    const hostile = `\u001b[2J\u001b[H\u202e${'A'.repeat(10_000)}`;
    const message = errorOf(JSON.stringify({ version: 1, targets: { [ROOT]: hostile } })).message;
    expect(isDisplaySafe(message)).toBe(true);
    expect(message).not.toContain('\u001b');
    expect(message).toContain('got "\\u001b[2J\\u001b[H\\u202eAAA');
    expect(message.length).toBeLessThan(300);
  });

  it('lists at most MAX_LISTED_PROBLEMS problems, then counts the rest', () => {
    const targets = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`bad-${i}`, P1]));
    const message = errorOf(JSON.stringify({ version: 1, targets })).message;
    expect(message.split('; ')).toHaveLength(MAX_LISTED_PROBLEMS + 1);
    expect(message).toMatch(/; and 15 more$/);
  });

  it('shows the source display-safe', () => {
    expect(() => parseBaseline('{', 'evil\u001b]0;title\u0007.json')).toThrow(
      /^Invalid baseline evil\\x1b\]0;title\\x07\.json: not valid JSON/,
    );
  });
});

describe('UnknownTargetsError', () => {
  it('is BAD_INPUT and names at most MAX_LISTED_UNKNOWN_IDS ids, then "and N more"', () => {
    const ids = Array.from({ length: MAX_LISTED_UNKNOWN_IDS + 5 }, (_, i) => String(100000000000 + i));
    const error = new UnknownTargetsError(SOURCE, ids);
    expect(error.kind).toBe('BAD_INPUT');
    expect(error.unknownIds).toHaveLength(ids.length);
    expect(error.message).toContain(`${ids.length} target ids are not in the organization: 100000000000, `);
    expect(error.message).toMatch(/ and 5 more$/);
    expect(error.message).not.toContain(ids.at(-1));
  });
});
