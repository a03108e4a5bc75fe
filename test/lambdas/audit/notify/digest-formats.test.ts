import type { AssociationRow } from '../../../../lambdas/audit/report/rows';
import { buildDriftDigest } from '../../../../lambdas/audit/notify/drift-digest';
import { asciiSubject, MAX_SUBJECT_LENGTH } from '../../../../lambdas/audit/notify/digest-subject';
import { chatSafe } from '../../../../lambdas/audit/notify/digest-chat';
import { snsMessage } from '../../../../lambdas/audit/notify/sns-message';
import { row, summaryWith } from '../report/row-fixtures';
import type { DriftDigest as Digest } from '../../../../lambdas/audit/types/digest';
import { isDisplaySafe } from '../../../support/is-display-safe';

const LOCATION = 's3://audit-reports/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz';
const options = { maxTargets: 20, reportLocation: LOCATION };

/** Values an account owner (or a compromised service answer) could put in a name or message. */
const HOSTILE = {
  target_name:
    'prod\u001b[2J\r\nSubject: forged <script>alert(1)</script> <!channel> [click](https://evil.example) *bold* `code` \u202etxt.exe',
  association_status_message: 'denied"}, "injected": {"x": "\u0000\u2028<@U123>&amp;',
  expected_policy_id: 'ff599a72-a74d-44ce-ae90-f73eddbb9e3c\n',
  configuration_policy_id: '</td><img src=x onerror=alert(1)>',
  ou_path: 'r-ab12/ou-ab12-11111111\u200b',
};

const hostileRow = (id = '111111111111', values: Partial<AssociationRow> = {}) =>
  row({
    target_id: id,
    drift: true,
    drift_reasons: ['FAILED'],
    audit_result: 'DRIFT',
    changes: ['NEW_DRIFT'],
    association_status: 'FAILED',
    ...HOSTILE,
    ...values,
  });

const digestOf = (
  rows: AssociationRow[],
  summary = summaryWith({ new_drift: rows.length, resolved_drift: 0 }),
): Digest => buildDriftDigest(summary, rows, options)!;

describe('digest subject', () => {
  it('says what changed: a single new drift names its target and reason', () => {
    const digest = digestOf(
      [hostileRow()],
      summaryWith({ new_drift: 1, resolved_drift: 0, drifted: 4, status_failed: 2, run_status: 'COMPLETE' }),
    );
    expect(digest.subject).toBe('Security Hub drift: new FAILED on 111111111111; 4 drifted, 2 FAILED');
  });

  it('counts several new drifts by reason, resolved ones, and flags an incomplete run first', () => {
    const rows = [
      hostileRow('111111111111'),
      hostileRow('222222222222', { drift_reasons: ['PENDING_STALE'] }),
      hostileRow('333333333333'),
    ];
    // Exactly 99 characters, SNS's longest subject.
    const digest = digestOf(
      rows,
      summaryWith({ new_drift: 3, resolved_drift: 2, drifted: 9, status_failed: 2, run_status: 'INCOMPLETE' }),
    );
    expect(digest.subject).toBe(
      '[INCOMPLETE] Security Hub drift: 3 new (2 FAILED, 1 PENDING_STALE), 2 resolved; 9 drifted, 2 FAILED',
    );
    expect(digest.subject).toHaveLength(99);
  });

  it('is printable ASCII, one line, under 100 characters, for hostile ids and the largest counts', () => {
    const max = 2_147_483_647;
    const digest = digestOf(
      [hostileRow('\u202e1111\r\n2222 ünï <b>')],
      summaryWith({ new_drift: 1, resolved_drift: max, drifted: max, status_failed: max, run_status: 'INCOMPLETE' }),
    );
    expect(digest.subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
    expect(digest.subject).toMatch(/^[\x20-\x7e]+$/);
    expect(digest.subject.endsWith('...')).toBe(true);
    expect(asciiSubject('a\r\nb\u00e9')).toBe('a??b?');
  });
});

describe('digest e-mail text', () => {
  it('shows hostile values as visible escapes: no control characters, no forged lines, no bidi overrides', () => {
    const { message: text } = digestOf([hostileRow()]);
    // Our own line breaks aside, nothing displaySafe would escape is left.
    expect(text.split('\n').every(isDisplaySafe)).toBe(true);
    expect(text).toContain('prod\\x1b[2J\\x0d\\x0aSubject: forged');
    expect(text).toContain('\\u202etxt.exe');
    // Every line is one of ours: the forged "Subject:" stays inside the name's line.
    expect(text.split('\n').filter((l) => l.startsWith('Subject:'))).toEqual([]);
  });

  it('shows expected and actual policy, status and message for each target', () => {
    const { message: text } = digestOf([hostileRow()]);
    expect(text).toContain(
      '    Policy:   expected ff599a72-a74d-44ce-ae90-f73eddbb9e3c\\x0a, actual </td><img src=x onerror=alert(1)>',
    );
    expect(text).toContain('    Status:   FAILED: denied"}, "injected"');
  });
});

describe('digest chat notification (Amazon Q Developer custom notification)', () => {
  it('follows the custom notification schema', () => {
    const { chat } = digestOf([hostileRow()]);
    expect(chat).toMatchObject({
      version: '1.0',
      source: 'custom',
      content: { textType: 'client-markdown' },
      metadata: { eventType: 'SecurityHubConfigDriftDigest', relatedResources: ['111111111111'] },
    });
    expect(typeof chat.content.title).toBe('string');
    expect(chat.content.nextSteps.length).toBeGreaterThan(0);
    expect(Object.values(chat.metadata.additionalContext).every((v) => typeof v === 'string')).toBe(true);
  });

  it('renders hostile names as literal text: no mentions, links, code or control characters', () => {
    const { chat } = digestOf([hostileRow()]);
    const text = chat.content.description;
    expect(text.split('\n').every(isDisplaySafe)).toBe(true);
    expect(text).not.toMatch(/[<>]/);
    expect(text).toContain('&lt;!channel&gt;');
    // The mention's @ is a look-alike that no chat client resolves.
    expect(text).toContain('&lt;\uff20U123&gt;&amp;amp;');
    const name = chatSafe(HOSTILE.target_name, 500);
    expect(name).toContain('\\[click\\](https[:]//evil.example)');
    expect(name).toContain('\\*bold\\*');
    expect(name).toContain('\\`code\\`');
    expect(name).toContain('\\u202etxt.exe');
    expect(chatSafe('a<b>&c')).toBe('a&lt;b&gt;&amp;c');
  });

  it('survives JSON round trips through SNS: hostile quotes cannot add keys', () => {
    const digest = digestOf([hostileRow()]);
    const message = JSON.parse(snsMessage(digest)) as Record<string, string>;
    expect(Object.keys(message).sort()).toEqual(['default', 'email', 'https', 'lambda', 'sqs']);
    expect(Object.values(message).every((v) => typeof v === 'string')).toBe(true);
    const chat = JSON.parse(message.https) as Record<string, unknown>;
    expect(Object.keys(chat).sort()).toEqual(['content', 'id', 'metadata', 'source', 'version']);
    expect(chat).toEqual(digest.chat);
    expect(message.sqs).toBe(message.https);
    expect(message.lambda).toBe(message.https);
    expect(message.email).toBe(digest.message);
    expect(message.default).toBe(digest.message);
  });
});
