/**
 * The synthesized rules' event patterns, exactly as CloudFormation will give them to
 * EventBridge, matched against the documented sample events (test/recheck/samples): each
 * sample reaches the queue through exactly the rule of its service, and the management
 * account's forwarding rule takes the Organizations samples only.
 */
import { matchesEventPattern } from '../../support/event-pattern-matcher';
import { SAMPLE_NAMES, SAMPLE_SENDERS, sampleEvent } from '../../recheck/samples/samples';
import { synthesizedRecheckPatterns } from '../recheck-rule-patterns';
import { RECHECK_ENV, RECHECK_MANAGEMENT_ACCOUNT } from '../test-app';

/** A sample as the synthesized app's accounts would send it. */
function asDeployed(name: string): Record<string, unknown> {
  const event = sampleEvent(name);
  const account =
    event.account === SAMPLE_SENDERS.managementAccountId ? RECHECK_MANAGEMENT_ACCOUNT : RECHECK_ENV.account;
  return { ...event, account, detail: { ...event.detail, recipientAccountId: account } };
}

describe('the synthesized re-check rules', () => {
  const patterns = synthesizedRecheckPatterns();

  it.each(SAMPLE_NAMES)('route %s through the rule of its service only', (name) => {
    const event = asDeployed(name);
    const organizations = name.startsWith('organizations-');
    expect(matchesEventPattern(patterns.organizations, event)).toBe(organizations);
    expect(matchesEventPattern(patterns.forwarder, event)).toBe(organizations);
    expect(matchesEventPattern(patterns.securityHub, event)).toBe(!organizations);
  });

  it('take nothing from another account', () => {
    for (const name of SAMPLE_NAMES) {
      const event = { ...asDeployed(name), account: '123412341234' };
      expect(matchesEventPattern(patterns.organizations, event)).toBe(false);
      expect(matchesEventPattern(patterns.securityHub, event)).toBe(false);
    }
  });

  it('leave read-only calls out', () => {
    const listing = asDeployed('organizations-move-account');
    const read = { ...listing, detail: { ...(listing.detail as object), eventName: 'ListAccounts' } };
    expect(matchesEventPattern(patterns.forwarder, read)).toBe(false);
  });
});
