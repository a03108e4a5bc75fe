import { SELF_MANAGED } from '../../../../lambdas/audit/model';
import {
  BaselineError,
  checkKnownTargets,
  parseBaseline,
  UnknownTargetsError,
} from '../../../../lambdas/audit/drift/baseline';
import { DEEP, L1, P1, P2, ROOT, TOP, deepOrg } from './fixtures';

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
