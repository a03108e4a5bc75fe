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

/** CloudTrail's detail-type for an API call. */
export const API_CALL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
/** CloudTrail's detail-type for an event a service records itself (`eventType: AwsServiceEvent`). */
export const SERVICE_EVENT_DETAIL_TYPE = 'AWS Service Event via CloudTrail';

/** EventBridge `source` and CloudTrail `eventSource` of Security Hub's events. */
export const SECURITY_HUB_SOURCE = 'aws.securityhub';
export const SECURITY_HUB_EVENT_SOURCE = 'securityhub.amazonaws.com';
/** EventBridge `source` and CloudTrail `eventSource` of Organizations' events. */
export const ORGANIZATIONS_SOURCE = 'aws.organizations';
export const ORGANIZATIONS_EVENT_SOURCE = 'organizations.amazonaws.com';

/**
 * Organizations is global: its CloudTrail events are recorded, and reach EventBridge, in
 * us-east-1 only ("You can view all CloudTrail information for AWS Organizations only in the
 * US East (N. Virginia) Region",
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_cloudtrail-integration.html).
 */
export const ORGANIZATIONS_EVENT_REGION = 'us-east-1';

/**
 * Security Hub calls, in the audit account and home Region, that can change what a
 * target's association is or should be. All are write calls Security Hub logs to CloudTrail
 * (https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-ct.html); the names
 * are the API operations (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_Operations.html).
 */
export const SECURITY_HUB_CHANGE_EVENTS = [
  'StartConfigurationPolicyAssociation',
  'StartConfigurationPolicyDisassociation',
  'CreateConfigurationPolicy',
  'UpdateConfigurationPolicy',
  'DeleteConfigurationPolicy',
  'UpdateOrganizationConfiguration',
] as const;
/** One of {@link SECURITY_HUB_CHANGE_EVENTS}. */
export type SecurityHubChangeEvent = (typeof SECURITY_HUB_CHANGE_EVENTS)[number];

/**
 * Organizations API calls that change the tree and are recorded in the MANAGEMENT account,
 * the only account whose events the management stack forwards. CloudTrail records a call in
 * the account that makes it, so the list is the calls only the management account can make
 * (https://docs.aws.amazon.com/organizations/latest/APIReference/ names the caller of each).
 *
 * Left out on purpose:
 * - `AcceptHandshake`: an invited account accepts in its own account, and "that action will
 *   not be logged in the management account's CloudTrail logs"; likewise `LeaveOrganization`
 *   (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_accept-decline-invite.html).
 * - `InviteAccountToOrganization`: an invitation changes nothing until it is accepted, and the
 *   acceptance never reaches the management account as an API call.
 * - `AccountJoinedOrganization` / `AccountDepartedOrganization` (service events in the
 *   management account since May 2026, which would cover invited joins and departures): the
 *   references name the fields (`joinedMethod`, `joinedTime`, …) but not where the member's
 *   account id is in the event, so a parser could only guess. Until they do, invited joins and
 *   voluntary departures are seen by the nightly run.
 *   (https://docs.aws.amazon.com/organizations/latest/APIReference/API_AcceptHandshake.html)
 */
export const ORGANIZATIONS_CHANGE_CALLS = [
  'MoveAccount',
  'CreateOrganizationalUnit',
  'DeleteOrganizationalUnit',
  'RemoveAccountFromOrganization',
  'CloseAccount',
] as const;
/** One of {@link ORGANIZATIONS_CHANGE_CALLS}. */
export type OrganizationsChangeCall = (typeof ORGANIZATIONS_CHANGE_CALLS)[number];

/**
 * Organizations service events: account creation is asynchronous and ends in
 * `CreateAccountResult`, recorded in the management account with `serviceEventDetails.createAccountStatus`
 * (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html,
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_cloudtrail-integration.html).
 */
export const ORGANIZATIONS_SERVICE_EVENTS = ['CreateAccountResult'] as const;
/** One of {@link ORGANIZATIONS_SERVICE_EVENTS}. */
export type OrganizationsServiceEvent = (typeof ORGANIZATIONS_SERVICE_EVENTS)[number];

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
    source: [SECURITY_HUB_SOURCE],
    'detail-type': [API_CALL_DETAIL_TYPE],
    ...(auditAccountId === undefined ? {} : { account: [auditAccountId] }),
    detail: { eventSource: [SECURITY_HUB_EVENT_SOURCE], eventName: [...SECURITY_HUB_CHANGE_EVENTS] },
  };
}

/**
 * The pattern of the Organizations rules: the management account's forwarding rule
 * (us-east-1, default bus) and the audit account's rule on the bus it forwards to.
 */
export function organizationsChangePattern(managementAccountId?: string): ChangeEventPattern {
  return {
    source: [ORGANIZATIONS_SOURCE],
    'detail-type': [API_CALL_DETAIL_TYPE, SERVICE_EVENT_DETAIL_TYPE],
    ...(managementAccountId === undefined ? {} : { account: [managementAccountId] }),
    detail: {
      eventSource: [ORGANIZATIONS_EVENT_SOURCE],
      eventName: [...ORGANIZATIONS_CHANGE_CALLS, ...ORGANIZATIONS_SERVICE_EVENTS],
    },
  };
}
