/**
 * The events the re-check acts on, defined once: the EventBridge rules of the stacks
 * (`infra/constructs/recheck-*.ts`), the parser (`parse-change.ts`) and the tests all take
 * their names and patterns from here, so a rule cannot match an event the parser refuses
 * or miss one it knows.
 *
 * All of them arrive as CloudTrail events ("AWS API Call via CloudTrail", and Organizations'
 * asynchronous account creation as "AWS Service Event via CloudTrail"), which needs a
 * CloudTrail trail logging management events:
 * https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-securityhub.html
 * https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-organizations.html
 */

/** CloudTrail's detail-type for an API call, and for an event a service records itself. */
export const API_CALL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
export const SERVICE_EVENT_DETAIL_TYPE = 'AWS Service Event via CloudTrail';

/** Organizations is global: its CloudTrail events reach EventBridge in us-east-1 only. */
export const ORGANIZATIONS_EVENT_REGION = 'us-east-1';

/**
 * Security Hub calls, in the audit account and home Region, that can change what a
 * target's association is or should be.
 */
export const SECURITY_HUB_CHANGE_EVENTS = [
  'StartConfigurationPolicyAssociation',
  'StartConfigurationPolicyDisassociation',
  'CreateConfigurationPolicy',
  'UpdateConfigurationPolicy',
  'DeleteConfigurationPolicy',
  'UpdateOrganizationConfiguration',
] as const;

/** Organizations API calls, in the management account, that change the tree. */
export const ORGANIZATIONS_CHANGE_CALLS = [
  'MoveAccount',
  'CreateOrganizationalUnit',
  'DeleteOrganizationalUnit',
  'InviteAccountToOrganization',
  'AcceptHandshake',
  'RemoveAccountFromOrganization',
  'CloseAccount',
] as const;

/** Organizations service events: account creation is asynchronous and ends in one. */
export const ORGANIZATIONS_SERVICE_EVENTS = ['CreateAccountResult'] as const;

/** An EventBridge event pattern, as the rules are given it. */
export interface ChangeEventPattern {
  readonly source: readonly string[];
  readonly 'detail-type': readonly string[];
  readonly account?: readonly string[];
  readonly detail: { readonly eventSource: readonly string[]; readonly eventName: readonly string[] };
}

/** The pattern of the Security Hub rule on the audit account's default bus (home Region). */
export function securityHubChangePattern(auditAccountId?: string): ChangeEventPattern {
  return {
    source: ['aws.securityhub'],
    'detail-type': [API_CALL_DETAIL_TYPE],
    ...(auditAccountId === undefined ? {} : { account: [auditAccountId] }),
    detail: { eventSource: ['securityhub.amazonaws.com'], eventName: [...SECURITY_HUB_CHANGE_EVENTS] },
  };
}

/**
 * The pattern of the Organizations rules: the management account's forwarding rule
 * (us-east-1, default bus) and the audit account's rule on the bus it forwards to.
 */
export function organizationsChangePattern(managementAccountId?: string): ChangeEventPattern {
  return {
    source: ['aws.organizations'],
    'detail-type': [API_CALL_DETAIL_TYPE, SERVICE_EVENT_DETAIL_TYPE],
    ...(managementAccountId === undefined ? {} : { account: [managementAccountId] }),
    detail: {
      eventSource: ['organizations.amazonaws.com'],
      eventName: [...ORGANIZATIONS_CHANGE_CALLS, ...ORGANIZATIONS_SERVICE_EVENTS],
    },
  };
}
