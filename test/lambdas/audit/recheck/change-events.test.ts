/**
 * The rules' patterns against the sample events: each sample matches exactly its own
 * service's pattern (with the sending account), and events the re-check does not take do not.
 */
import {
  ORGANIZATIONS_CHANGE_CALLS,
  ORGANIZATIONS_SERVICE_EVENTS,
  SECURITY_HUB_CHANGE_EVENTS,
  organizationsChangePattern,
  securityHubChangePattern,
} from '../../../../lambdas/audit/recheck/change-events';
import { cloudTrailEvent, createAccountResultEvent } from '../../../support/cloudtrail-event';
import { matchesEventPattern } from '../../../support/event-pattern-matcher';
import { SAMPLE_NAMES, SAMPLE_SENDERS, sampleEvent } from '../../../recheck/samples/samples';

const { auditAccountId, homeRegion } = SAMPLE_SENDERS;
const managementAccountId = SAMPLE_SENDERS.managementAccountId!;
const SECURITY_HUB = securityHubChangePattern(auditAccountId);
const ORGANIZATIONS = organizationsChangePattern(managementAccountId);

/** Which patterns an event matches, by name. */
function matched(event: unknown): string[] {
  return [
    ...(matchesEventPattern(SECURITY_HUB, event) ? ['securityhub'] : []),
    ...(matchesEventPattern(ORGANIZATIONS, event) ? ['organizations'] : []),
  ];
}

describe('the change patterns against the samples', () => {
  it('has a sample of every event name in the catalog', () => {
    const names = new Set(SAMPLE_NAMES.map((name) => sampleEvent(name).detail.eventName));
    const catalog = [...SECURITY_HUB_CHANGE_EVENTS, ...ORGANIZATIONS_CHANGE_CALLS, ...ORGANIZATIONS_SERVICE_EVENTS];
    expect([...names].sort()).toEqual([...catalog].sort());
  });

  it.each(SAMPLE_NAMES)('%s matches exactly its service pattern', (name) => {
    expect(matched(sampleEvent(name))).toEqual([name.split('-')[0]]);
  });

  it.each(SAMPLE_NAMES)('%s does not match the pattern of another sending account', (name) => {
    const event = sampleEvent(name);
    const other = '999999999999';
    expect(matchesEventPattern(securityHubChangePattern(other), event)).toBe(false);
    expect(matchesEventPattern(organizationsChangePattern(other), event)).toBe(false);
  });

  it('the patterns without an account match any sender of the same events', () => {
    const event = { ...sampleEvent('organizations-move-account'), account: '999999999999' };
    expect(matchesEventPattern(organizationsChangePattern(), event)).toBe(true);
  });
});

describe('the CloudTrail event helper', () => {
  it('writes the samples: the emulator emits events of the documented shape', () => {
    const rebuilt = cloudTrailEvent({
      service: 'organizations',
      eventName: 'MoveAccount',
      account: managementAccountId,
      region: 'us-east-1',
      eventTime: new Date(Date.UTC(2026, 11, 6, 8, 7)),
      requestParameters: {
        accountId: '444455556666',
        sourceParentId: 'ou-ab12-cd34ef56',
        destinationParentId: 'ou-ab12-99887766',
      },
      id: '0f1e2d3c-4b5a-4697-8877-000000000007',
      eventId: 'e5d4c3b2-a190-4f8e-9d7c-000000000007',
    });
    expect(rebuilt).toEqual(sampleEvent('organizations-move-account'));
    const created = createAccountResultEvent({
      managementAccountId,
      requestId: 'car-exampleaccountrequest01',
      state: 'SUCCEEDED',
      accountId: '555566667777',
      accountName: 'workload-prod',
      eventTime: '2026-12-06T08:13:00Z',
      id: '0f1e2d3c-4b5a-4697-8877-00000000000d',
      eventId: 'e5d4c3b2-a190-4f8e-9d7c-00000000000d',
    });
    expect(created).toEqual(sampleEvent('organizations-create-account-result'));
  });
});

describe('events the patterns leave out', () => {
  const call = (service: string, eventName: string, account: string, region: string) =>
    cloudTrailEvent({ service, eventName, account, region, eventTime: '2026-12-06T08:00:00Z', requestParameters: {} });

  it.each([
    ['a read-only Organizations call', call('organizations', 'ListAccounts', managementAccountId, 'us-east-1')],
    [
      'an acceptance (recorded in the member account)',
      call('organizations', 'AcceptHandshake', managementAccountId, 'us-east-1'),
    ],
    [
      'an invitation (changes nothing until accepted)',
      call('organizations', 'InviteAccountToOrganization', managementAccountId, 'us-east-1'),
    ],
    ['a read-only Security Hub call', call('securityhub', 'GetConfigurationPolicy', auditAccountId, homeRegion)],
    ['another Security Hub write', call('securityhub', 'BatchUpdateFindings', auditAccountId, homeRegion)],
    [
      'another service with the same name',
      call('guardduty', 'UpdateOrganizationConfiguration', auditAccountId, homeRegion),
    ],
  ])('%s', (_what, event) => {
    expect(matched(event)).toEqual([]);
  });

  it('a Security Hub name under the Organizations source, and the other way round', () => {
    expect(matched(call('organizations', 'UpdateConfigurationPolicy', managementAccountId, 'us-east-1'))).toEqual([]);
    expect(matched(call('securityhub', 'MoveAccount', auditAccountId, homeRegion))).toEqual([]);
  });

  it('a Security Hub event as a service event, and a service event of another name', () => {
    const event = sampleEvent('securityhub-update-configuration-policy');
    expect(matched({ ...event, 'detail-type': 'AWS Service Event via CloudTrail' })).toEqual([]);
    const other = createAccountResultEvent({
      managementAccountId,
      requestId: 'car-0123456789',
      state: 'SUCCEEDED',
      accountName: 'x',
      eventTime: '2026-12-06T08:00:00Z',
    });
    expect(matched({ ...other, detail: { ...other.detail, eventName: 'CreateGovCloudAccountResult' } })).toEqual([]);
  });
});
