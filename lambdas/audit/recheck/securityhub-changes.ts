/**
 * What each Security Hub change call means for the re-check, read from the CloudTrail
 * record's `requestParameters` (the API's request members, first letter lower-cased:
 * https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_StartConfigurationPolicyAssociation.html,
 * …/API_UpdateConfigurationPolicy.html, …/API_DeleteConfigurationPolicy.html).
 */
import { SELF_MANAGED } from '../model';
import { POLICY_ID_PATTERN } from '../drift/baseline';
import { ACCOUNT_ID_PATTERN, OU_ID_PATTERN, ROOT_ID_PATTERN, quoteUntrustedId } from '../target-ids';
import type { SecurityHubChangeEvent } from './change-events';
import {
  idAt,
  isProblem,
  malformed,
  objectAt,
  ownField,
  type FieldProblem,
  type JsonObject,
  type ScopeVerdict,
} from './event-fields';

/**
 * A configuration policy's ARN, `arn:<partition>:securityhub:<region>:<account>:configuration-policy/<UUID>`
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecurityhub.html#awssecurityhub-resources-for-iam-policies).
 */
const POLICY_ARN_PATTERN =
  /^arn:aws(?:-[a-z]+)*:securityhub:[a-z0-9-]{1,32}:\d{12}:configuration-policy\/([^/]{1,64})$/i;

/** The target member of the request (a union: exactly one of these), with its id shape. */
const TARGET_MEMBERS: readonly (readonly [string, RegExp, string])[] = [
  ['accountId', ACCOUNT_ID_PATTERN, 'an account id'],
  ['organizationalUnitId', OU_ID_PATTERN, 'an OU id'],
  ['rootId', ROOT_ID_PATTERN, 'a root id'],
];

/**
 * The policy UUID (lower-cased) an identifier names: the API takes the UUID or the ARN.
 * The self-managed marker is accepted only where `allowSelfManaged` (association calls).
 */
function policyIdOf(identifier: unknown, path: string, allowSelfManaged: boolean): string | FieldProblem {
  if (typeof identifier !== 'string') return malformed(path, identifier, 'expected a policy id or ARN');
  if (allowSelfManaged && identifier === SELF_MANAGED) return SELF_MANAGED;
  if (POLICY_ID_PATTERN.test(identifier)) return identifier.toLowerCase();
  const arn = POLICY_ARN_PATTERN.exec(identifier);
  // The resource part must itself be a policy id: one pattern for both spellings.
  if (arn?.[1] !== undefined && POLICY_ID_PATTERN.test(arn[1])) return arn[1].toLowerCase();
  return { bad: 'BAD_ID', detail: `${path}: ${quoteUntrustedId(identifier)} is not a configuration policy id or ARN` };
}

/** The one target id of `requestParameters.target`, validated. */
function targetIdOf(target: JsonObject): string | FieldProblem {
  const path = 'requestParameters.target';
  const present = TARGET_MEMBERS.filter(([key]) => ownField(target, key) !== undefined);
  const member = present[0];
  if (present.length !== 1 || member === undefined) {
    return malformed(path, target, 'expected exactly one of accountId, organizationalUnitId, rootId');
  }
  return idAt(target, member[0], path, member[1], member[2]);
}

/** Start(Dis)association: the target and its subtree; without a target, the policy's targets. */
function associationScope(request: JsonObject): ScopeVerdict {
  const policy = policyIdOf(
    ownField(request, 'configurationPolicyIdentifier'),
    'requestParameters.configurationPolicyIdentifier',
    true,
  );
  if (isProblem(policy)) return policy;
  const target = ownField(request, 'target');
  if (target === undefined && policy !== SELF_MANAGED) return { scope: { kind: 'POLICY', policyId: policy } };
  const targetObject = objectAt(request, 'target');
  if (isProblem(targetObject)) return targetObject;
  const targetId = targetIdOf(targetObject);
  return isProblem(targetId) ? targetId : { scope: { kind: 'TARGET', targetId } };
}

/** Update/DeleteConfigurationPolicy: every target applying or inheriting the policy. */
function policyScope(request: JsonObject): ScopeVerdict {
  const policy = policyIdOf(ownField(request, 'identifier'), 'requestParameters.identifier', false);
  return isProblem(policy) ? policy : { scope: { kind: 'POLICY', policyId: policy } };
}

/** The scope of one successful Security Hub change call (failed calls never get here). */
export function securityHubScope(eventName: SecurityHubChangeEvent, detail: JsonObject): ScopeVerdict {
  // A new policy is associated with no target yet: its first association is an event of its own.
  if (eventName === 'CreateConfigurationPolicy') return { ignored: 'a new policy applies to no target yet' };
  // Central or local configuration, for the whole organization: every target.
  if (eventName === 'UpdateOrganizationConfiguration') return { scope: { kind: 'ORGANIZATION' } };
  const request = objectAt(detail, 'requestParameters');
  if (isProblem(request)) return request;
  if (eventName === 'UpdateConfigurationPolicy' || eventName === 'DeleteConfigurationPolicy') {
    return policyScope(request);
  }
  return associationScope(request);
}
