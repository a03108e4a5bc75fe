/**
 * The parser on the sample events (each to its documented change) and on bad ones: every
 * refusal has its reason, and what it says is bounded and display-safe.
 */
import {
  MAX_CHANGE_MESSAGE_BYTES,
  parseChangeEvent,
  parseChangeMessage,
} from '../../../../lambdas/audit/recheck/parse-change';
import type { ChangeScope, ParsedEvent } from '../../../../lambdas/audit/types/recheck';
import { cloudTrailEvent, createAccountResultEvent } from '../../../support/cloudtrail-event';
import { isDisplaySafe } from '../../../support/is-display-safe';
import { SAMPLE_NAMES, SAMPLE_SENDERS, sampleEvent, sampleText } from '../../../recheck/samples/samples';

const P1 = 'a1b2c3d4-5678-4abc-8def-111111111111';
const P2 = 'a1b2c3d4-5678-4abc-8def-222222222222';

/** What each sample means: a scope, or IGNORED. */
const EXPECTED: Readonly<Record<string, ChangeScope | 'IGNORED'>> = {
  'securityhub-start-configuration-policy-association': { kind: 'TARGET', targetId: '444455556666' },
  'securityhub-start-configuration-policy-disassociation': { kind: 'TARGET', targetId: 'ou-ab12-cd34ef56' },
  'securityhub-create-configuration-policy': 'IGNORED',
  'securityhub-update-configuration-policy': { kind: 'POLICY', policyId: P1 },
  'securityhub-delete-configuration-policy': { kind: 'POLICY', policyId: P2 },
  'securityhub-update-organization-configuration': { kind: 'ORGANIZATION' },
  'organizations-move-account': { kind: 'ACCOUNT', accountId: '444455556666', parentId: 'ou-ab12-99887766' },
  'organizations-move-account-failed': 'IGNORED',
  'organizations-create-organizational-unit': {
    kind: 'OU_CREATED',
    ouId: 'ou-ab12-5a5a5a5a',
    parentId: 'r-ab12',
    name: 'Sandbox',
  },
  'organizations-delete-organizational-unit': { kind: 'OU_GONE', ouId: 'ou-ab12-5a5a5a5a' },
  'organizations-remove-account-from-organization': { kind: 'ACCOUNT_GONE', accountId: '777788889999' },
  'organizations-close-account': { kind: 'ACCOUNT', accountId: '777788880000', parentId: null },
  'organizations-create-account-result': { kind: 'ACCOUNT', accountId: '555566667777', parentId: null },
  'organizations-create-account-result-failed': 'IGNORED',
};

type Event = ReturnType<typeof sampleEvent>;
const parse = (event: unknown): ParsedEvent => parseChangeEvent(event, SAMPLE_SENDERS);
/** A sample with `change` applied to a fresh copy. */
function altered(name: string, change: (event: Event) => void): Event {
  const event = sampleEvent(name);
  change(event);
  return event;
}
const request = (event: Event) => event.detail.requestParameters as Record<string, unknown>;

function expectBad(verdict: ParsedEvent, reason: string): void {
  expect(verdict.status).toBe('BAD');
  if (verdict.status !== 'BAD') return;
  expect(verdict.reason).toBe(reason);
  expect(verdict.detail.length).toBeLessThanOrEqual(301);
  expect(isDisplaySafe(verdict.detail)).toBe(true);
}

describe('parseChangeMessage on the samples', () => {
  it('knows what every sample means', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...SAMPLE_NAMES]);
  });

  it.each(SAMPLE_NAMES)('%s', (name) => {
    const event = sampleEvent(name);
    const verdict = parseChangeMessage(sampleText(name), SAMPLE_SENDERS);
    const expected = EXPECTED[name];
    if (expected === 'IGNORED') {
      expect(verdict).toEqual({
        status: 'IGNORED',
        eventName: event.detail.eventName,
        why: expect.any(String) as string,
      });
      return;
    }
    expect(verdict).toEqual({
      status: 'CHANGE',
      change: {
        eventId: event.id,
        eventName: event.detail.eventName,
        service: name.split('-')[0],
        eventTime: Date.parse(event.detail.eventTime as string),
        scope: expected,
      },
    });
  });
});

describe('parseChangeEvent: variants of the documented shapes', () => {
  it('takes a root target, the self-managed marker, and an upper-case policy UUID (lower-cased)', () => {
    const root = altered('securityhub-start-configuration-policy-association', (e) => {
      request(e).target = { rootId: 'r-ab12' };
      request(e).configurationPolicyIdentifier = 'SELF_MANAGED_SECURITY_HUB';
    });
    expect(parse(root)).toMatchObject({ status: 'CHANGE', change: { scope: { kind: 'TARGET', targetId: 'r-ab12' } } });
    const upper = altered('securityhub-delete-configuration-policy', (e) => (request(e).identifier = P2.toUpperCase()));
    expect(parse(upper)).toMatchObject({ change: { scope: { kind: 'POLICY', policyId: P2 } } });
  });

  it('a disassociation without a target re-checks the policy', () => {
    const event = altered('securityhub-start-configuration-policy-disassociation', (e) => delete request(e).target);
    expect(parse(event)).toMatchObject({ change: { scope: { kind: 'POLICY', policyId: P2 } } });
  });

  it('a failed Security Hub call and an account creation in progress change nothing', () => {
    const failed = cloudTrailEvent({
      service: 'securityhub',
      eventName: 'StartConfigurationPolicyAssociation',
      account: SAMPLE_SENDERS.auditAccountId,
      region: SAMPLE_SENDERS.homeRegion,
      eventTime: '2026-12-06T08:00:00Z',
      requestParameters: { configurationPolicyIdentifier: 'not checked', target: { accountId: 'x' } },
      errorCode: 'AccessDeniedException',
    });
    expect(parse(failed)).toMatchObject({
      status: 'IGNORED',
      why: expect.stringContaining('AccessDeniedException') as string,
    });
    const inProgress = createAccountResultEvent({
      managementAccountId: SAMPLE_SENDERS.managementAccountId!,
      requestId: 'car-0123456789',
      state: 'IN_PROGRESS',
      accountName: 'x',
      eventTime: '2026-12-06T08:00:00Z',
    });
    expect(parse(inProgress)).toMatchObject({ status: 'IGNORED', eventName: 'CreateAccountResult' });
  });

  it('an OU name that is not a usable string is kept as null', () => {
    const event = altered('organizations-create-organizational-unit', (e) => {
      const ou = (e.detail.responseElements as { organizationalUnit: Record<string, unknown> }).organizationalUnit;
      ou.name = 'x'.repeat(129);
    });
    expect(parse(event)).toMatchObject({ change: { scope: { kind: 'OU_CREATED', name: null } } });
  });
});

describe('parseChangeEvent: bad events', () => {
  const cases: readonly (readonly [string, string, (e: Event) => void, string])[] = [
    ['another source', 'organizations-move-account', (e) => (e.source = 'aws.ec2'), 'UNEXPECTED_SOURCE'],
    ['another detail-type', 'organizations-move-account', (e) => (e['detail-type'] = 'x'), 'UNEXPECTED_SOURCE'],
    [
      'another eventSource',
      'organizations-move-account',
      (e) => (e.detail.eventSource = 'ec2.amazonaws.com'),
      'UNEXPECTED_SOURCE',
    ],
    [
      'an unknown name',
      'organizations-move-account',
      (e) => (e.detail.eventName = 'ListAccounts'),
      'UNKNOWN_EVENT_NAME',
    ],
    [
      'an inherited name',
      'organizations-move-account',
      (e) => (e.detail.eventName = 'constructor'),
      'UNKNOWN_EVENT_NAME',
    ],
    [
      'a call as a service event',
      'organizations-move-account',
      (e) => (e.detail.eventType = 'AwsServiceEvent'),
      'MALFORMED',
    ],
    [
      'a service event as a call',
      'organizations-create-account-result',
      (e) => (e['detail-type'] = 'AWS API Call via CloudTrail'),
      'MALFORMED',
    ],
    [
      'Organizations from the audit account',
      'organizations-move-account',
      (e) => (e.account = '210987654321'),
      'UNEXPECTED_ACCOUNT',
    ],
    [
      'a recipient that is not the sender',
      'organizations-move-account',
      (e) => (e.detail.recipientAccountId = '999999999999'),
      'UNEXPECTED_ACCOUNT',
    ],
    [
      'Security Hub from the management account',
      'securityhub-delete-configuration-policy',
      (e) => (e.account = '123456789012'),
      'UNEXPECTED_ACCOUNT',
    ],
    [
      'Organizations outside us-east-1',
      'organizations-move-account',
      (e) => (e.region = 'eu-west-1'),
      'UNEXPECTED_REGION',
    ],
    [
      'Security Hub outside the home Region',
      'securityhub-delete-configuration-policy',
      (e) => (e.region = 'us-east-1'),
      'UNEXPECTED_REGION',
    ],
    [
      'an awsRegion that is not the envelope',
      'securityhub-delete-configuration-policy',
      (e) => (e.detail.awsRegion = 'us-east-1'),
      'UNEXPECTED_REGION',
    ],
    ['an event id that is not one', 'organizations-move-account', (e) => (e.id = 'id with\u202espaces'), 'BAD_ID'],
    ['no event id', 'organizations-move-account', (e) => delete e.id, 'MALFORMED'],
    [
      'an eventTime that is not a time',
      'organizations-move-account',
      (e) => (e.detail.eventTime = '2026-13-40T99:00:00Z'),
      'MALFORMED',
    ],
    ['an account id that is not one', 'organizations-move-account', (e) => (request(e).accountId = '12345'), 'BAD_ID'],
    [
      'a parent id that is not one',
      'organizations-move-account',
      (e) => (request(e).destinationParentId = 'ou-x'),
      'BAD_ID',
    ],
    ['no requestParameters', 'organizations-close-account', (e) => (e.detail.requestParameters = null), 'MALFORMED'],
    [
      'an OU id that is not one',
      'organizations-delete-organizational-unit',
      (e) => (request(e).organizationalUnitId = 'r-ab12'),
      'BAD_ID',
    ],
    [
      'no new OU id',
      'organizations-create-organizational-unit',
      (e) => (e.detail.responseElements = null),
      'MALFORMED',
    ],
    [
      'an unknown creation state',
      'organizations-create-account-result',
      (e) =>
        ((e.detail.serviceEventDetails as { createAccountStatus: Record<string, unknown> }).createAccountStatus.state =
          'DONE'),
      'MALFORMED',
    ],
    [
      'a policy id that is not one',
      'securityhub-update-configuration-policy',
      (e) => (request(e).identifier = 'arn:aws:securityhub:eu-west-1:210987654321:configuration-policy/x'),
      'BAD_ID',
    ],
    [
      'self-managed as a policy to edit',
      'securityhub-update-configuration-policy',
      (e) => (request(e).identifier = 'SELF_MANAGED_SECURITY_HUB'),
      'BAD_ID',
    ],
    [
      'two targets',
      'securityhub-start-configuration-policy-association',
      (e) => (request(e).target = { accountId: '444455556666', rootId: 'r-ab12' }),
      'MALFORMED',
    ],
    [
      'a target id of the wrong kind',
      'securityhub-start-configuration-policy-association',
      (e) => (request(e).target = { rootId: '444455556666' }),
      'BAD_ID',
    ],
  ];
  it.each(cases)('%s', (_what, name, change, reason) => {
    expectBad(parse(altered(name, change)), reason);
  });

  it('every Organizations event is UNEXPECTED_ACCOUNT when no management account is forwarded', () => {
    const senders = { ...SAMPLE_SENDERS, managementAccountId: null };
    expectBad(parseChangeEvent(sampleEvent('organizations-move-account'), senders), 'UNEXPECTED_ACCOUNT');
  });

  it.each([null, 'text', 42, [], [sampleEvent('organizations-move-account')]])('not an event object: %p', (raw) => {
    expectBad(parse(raw), 'MALFORMED');
  });
});

describe('parseChangeMessage: bad bodies', () => {
  const body = sampleText('organizations-move-account');

  it.each([
    ['not JSON', '{"source": ', 'NOT_JSON'],
    ['empty', '', 'NOT_JSON'],
    ['a duplicate key', body.replace('"source"', '"source": "aws.ec2", "source"'), 'MALFORMED'],
    ['a __proto__ key', body.replace('"source"', '"__proto__": {"source": "x"}, "source"'), 'MALFORMED'],
    ['nested too deep', `${'['.repeat(40)}${']'.repeat(40)}`, 'MALFORMED'],
    [
      'over the size bound',
      body.replace('"resources": []', `"resources": ["${'x'.repeat(MAX_CHANGE_MESSAGE_BYTES)}"]`),
      'MALFORMED',
    ],
    ['over the bound in bytes, not characters', `"${'é'.repeat(MAX_CHANGE_MESSAGE_BYTES / 2 + 1)}"`, 'MALFORMED'],
  ])('%s', (_what, text, reason) => {
    expectBad(parseChangeMessage(text, SAMPLE_SENDERS), reason);
  });
});
