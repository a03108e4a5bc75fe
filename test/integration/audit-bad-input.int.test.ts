/**
 * Bad documents fail the run with a message that says what to fix, and nothing reaches
 * the bucket: no half-written report, no `latest/` pointing at a run that never finished.
 * (The Lambda's bad environment is in handler.int.test.ts, the CLI's in cli.int.test.ts.)
 */
import { MAX_JSON_DEPTH } from '../../lambdas/audit/drift/json-document';
import { errorKindOf, BaselineError, ExclusionsError, UnknownTargetsError } from '../../lambdas/audit/errors';
import { startEmulatedAudit, type EmulatedAudit } from '../support/emulated-audit';

jest.setTimeout(30_000);

const BASELINE_SOURCE = 's3://audit-reports-test/config/baseline.json';
const EXCLUSIONS_SOURCE = 's3://audit-reports-test/config/exclusions.json';

let audit: EmulatedAudit;

beforeAll(async () => {
  audit = await startEmulatedAudit({ org: { seed: 'bad-input', accounts: 40, ous: 6, maxDepth: 2 } });
});

afterAll(async () => {
  await audit?.close();
});

beforeEach(() => {
  audit.emulator.resetStats();
});

/** Runs the audit expecting it to fail, and checks nothing was written. */
async function failedRun(documents: Parameters<EmulatedAudit['run']>[0]): Promise<Error> {
  // The shared virtual clock moves on by days across these tests; the event's age is not what they test.
  const error = await audit.run({ scheduledTime: '2026-11-26T02:00:00Z', rerun: true, ...documents }).then(
    () => {
      throw new Error('the audit was expected to fail');
    },
    (e: unknown) => e as Error,
  );
  expect(await audit.s3.listKeys()).toEqual([]);
  return error;
}

describe('bad input', () => {
  it('rejects malformed baseline JSON before calling any AWS API', async () => {
    const error = await failedRun({ baseline: { text: '{"version": 1, "targets": {', source: BASELINE_SOURCE } });
    expect(error).toBeInstanceOf(BaselineError);
    expect(error.message).toMatch(new RegExp(`^Invalid baseline ${BASELINE_SOURCE}: not valid JSON`));
    expect(audit.emulator.stats().totalRequests).toBe(0);
  });

  it('rejects a baseline naming targets the organization does not have, listing every one, writing nothing', async () => {
    const root = audit.org.roots[0].id;
    const policy = audit.org.policies[0].id;
    const text = JSON.stringify({
      version: 1,
      targets: { [root]: policy, 'ou-zz99-zzzzzzzz': 'SELF_MANAGED', '999999999999': policy },
    });
    const error = await failedRun({ baseline: { text, source: BASELINE_SOURCE } });
    expect(error).toBeInstanceOf(UnknownTargetsError);
    expect((error as UnknownTargetsError).unknownIds).toEqual(['ou-zz99-zzzzzzzz', '999999999999']);
    expect(error.message).toBe(
      `${BASELINE_SOURCE}: 2 target ids are not in the organization: ou-zz99-zzzzzzzz, 999999999999`,
    );
    // The organization was walked to know that (associations are read while it is walked), and nothing was written.
    expect(await audit.s3.listKeys()).toEqual([]);
  });

  it('rejects malformed exclusions, naming the entry and field', async () => {
    const account = audit.org.accounts[1].id;
    const text = JSON.stringify({
      version: 1,
      exclusions: [{ targetId: account, reason: 'pilot', expires: '2026-02-30' }],
    });
    const error = await failedRun({ exclusions: { text, source: EXCLUSIONS_SOURCE } });
    expect(error).toBeInstanceOf(ExclusionsError);
    expect(error.message).toBe(
      `Invalid exclusions ${EXCLUSIONS_SOURCE}: exclusions[0].expires: expected a calendar date YYYY-MM-DD, got "2026-02-30"`,
    );
    expect(audit.emulator.stats().totalRequests).toBe(0);
  });

  it('rejects exclusions for unknown targets', async () => {
    const text = JSON.stringify({
      version: 1,
      exclusions: [{ targetId: '123123123123', reason: 'gone', expires: '2099-01-01' }],
    });
    const error = await failedRun({ exclusions: { text, source: EXCLUSIONS_SOURCE } });
    expect(error).toBeInstanceOf(UnknownTargetsError);
    expect(error.message).toBe(`${EXCLUSIONS_SOURCE}: 1 target id is not in the organization: 123123123123`);
  });

  it('rejects an event time that cannot name a run, before calling anything', async () => {
    const error = await audit.run({ scheduledTime: '2026-11-31T02:00:00Z' }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/2026-11-31T02:00:00Z/);
    expect(audit.emulator.stats().totalRequests).toBe(0);
    expect(await audit.s3.listKeys()).toEqual([]);
  });

  it('rejects a baseline with a duplicate target id instead of keeping the last value, before any request', async () => {
    const root = audit.org.roots[0].id;
    const [p1, p2] = [audit.org.policies[0].id, audit.org.policies[1]?.id ?? 'SELF_MANAGED'];
    const text = `{"version": 1, "targets": {\n"${root}": "${p1}",\n"${root}": "${p2}"\n}}`;
    const error = await failedRun({ baseline: { text, source: BASELINE_SOURCE } });
    expect(error).toBeInstanceOf(BaselineError);
    expect(errorKindOf(error)).toBe('BAD_INPUT');
    expect(error.message).toBe(
      `Invalid baseline ${BASELINE_SOURCE}: targets: duplicate key "${root}" (lines 2 and 3); keep one`,
    );
    expect(audit.emulator.stats().totalRequests).toBe(0);
  });

  it('rejects __proto__ keys and deep nesting in exclusions, before any request', async () => {
    const proto = await failedRun({
      exclusions: { text: '{"version":1,"exclusions":[],"__proto__":{"polluted":true}}', source: EXCLUSIONS_SOURCE },
    });
    expect(proto.message).toBe(`Invalid exclusions ${EXCLUSIONS_SOURCE}: (document): key "__proto__" is not allowed`);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    const deep = await failedRun({
      exclusions: { text: `{"version":1,"exclusions":${'['.repeat(200_000)}`, source: EXCLUSIONS_SOURCE },
    });
    expect(deep).toBeInstanceOf(ExclusionsError);
    expect(deep.message).toContain(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    expect(audit.emulator.stats().totalRequests).toBe(0);
  });

  it('names at most 20 unknown ids of a long list, then counts the rest', async () => {
    const unknown = Array.from({ length: 30 }, (_, i) => String(900000000000 + i));
    const text = JSON.stringify({ version: 1, targets: Object.fromEntries(unknown.map((id) => [id, 'SELF_MANAGED'])) });
    const error = await failedRun({ baseline: { text, source: BASELINE_SOURCE } });
    expect(error).toBeInstanceOf(UnknownTargetsError);
    expect((error as UnknownTargetsError).unknownIds).toEqual(unknown);
    expect(error.message).toMatch(
      /^s3:\/\/audit-reports-test\/config\/baseline\.json: 30 target ids are not in the organization: /,
    );
    expect(error.message).toMatch(/900000000019 and 10 more$/);
  });
});
