/**
 * The Security Hub write calls behind the re-check's change events, as REST-JSON
 * request/response objects (botocore securityhub 2018-10-26 service-2.json). Associations
 * change through {@link AssociationEngine}: PENDING now, SUCCESS or FAILED later. Each
 * successful call emits one CloudTrail-shaped event; a failed call emits none.
 */
import { SELF_MANAGED, type TargetType } from '../../lambdas/audit/model';
import type { AssociationEngine } from './association-engine';
import type { GeneratedAssociation } from './generated-org';
import type { MutableOrgIndex } from './org-index';
import { EmulatedServiceError, securityHubInvalidInput } from './service-error';

/** Operations served, with their method and path (the update's path ends in the policy id). */
export const SECURITYHUB_WRITE_ROUTES = {
  'POST /configurationPolicyAssociation/associate': 'StartConfigurationPolicyAssociation',
  'POST /configurationPolicyAssociation/disassociate': 'StartConfigurationPolicyDisassociation',
  'PATCH /configurationPolicy/{Identifier}': 'UpdateConfigurationPolicy',
} as const;
export type SecurityHubWriteOperation = (typeof SECURITYHUB_WRITE_ROUTES)[keyof typeof SECURITYHUB_WRITE_ROUTES];

/** What the write handlers need besides the request. */
export interface SecurityHubWriteContext {
  readonly index: MutableOrgIndex;
  readonly associations: AssociationEngine;
  /** Epoch ms. */
  readonly now: () => number;
  /** The audit account and home Region, for policy ARNs. */
  readonly auditAccountId: string;
  readonly region: string;
  /** Emits the API-call event of a successful call. */
  readonly emitCall: (eventName: SecurityHubWriteOperation, request: Input, response: Input | null) => void;
}

type Input = Record<string, unknown>;

const TARGET_MEMBERS: Readonly<Record<string, TargetType>> = {
  AccountId: 'ACCOUNT',
  OrganizationalUnitId: 'ORGANIZATIONAL_UNIT',
  RootId: 'ROOT',
};

/** Runs one write. Throws an EmulatedServiceError for anything AWS would reject. */
export function handleSecurityHubWrite(
  op: SecurityHubWriteOperation,
  input: Input,
  ctx: SecurityHubWriteContext,
): object {
  const response =
    op === 'StartConfigurationPolicyAssociation'
      ? associate(input, ctx)
      : op === 'StartConfigurationPolicyDisassociation'
        ? disassociate(input, ctx)
        : updatePolicy(input, ctx);
  ctx.emitCall(op, input, response);
  return response ?? {};
}

/**
 * StartConfigurationPolicyAssociation
 * (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_StartConfigurationPolicyAssociation.html):
 * answers the target's association, PENDING.
 */
function associate(input: Input, ctx: SecurityHubWriteContext): Input {
  const policyId = policyIdOf(input.ConfigurationPolicyIdentifier, ctx, true);
  const targetId = targetOf(input, ctx);
  return summaryJson(ctx.associations.apply(targetId, policyId));
}

/**
 * StartConfigurationPolicyDisassociation
 * (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_StartConfigurationPolicyDisassociation.html):
 * only a directly applied configuration can be disassociated
 * (https://docs.aws.amazon.com/securityhub/latest/userguide/disassociate-policy.html).
 */
function disassociate(input: Input, ctx: SecurityHubWriteContext): null {
  const policyId = policyIdOf(input.ConfigurationPolicyIdentifier, ctx, true);
  const targetId = targetOf(input, ctx);
  const current = ctx.index.org.associations.get(targetId);
  if (current?.associationType !== 'APPLIED' || current.configurationPolicyId !== policyId) {
    // Assumed wording and code: the reference documents the rule, not the error.
    throw securityHubInvalidInput('The configuration is not directly applied to the target.');
  }
  ctx.associations.disassociate(targetId);
  return null;
}

/**
 * UpdateConfigurationPolicy
 * (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_UpdateConfigurationPolicy.html):
 * every target that applies or inherits the policy redeploys it.
 */
function updatePolicy(input: Input, ctx: SecurityHubWriteContext): Input {
  const policyId = policyIdOf(input.Identifier, ctx, false);
  const { policies } = ctx.index.org;
  const at = policies.findIndex((p) => p.id === policyId);
  const name = input.Name;
  if (name !== undefined && (typeof name !== 'string' || name === '' || name.length > 128))
    throw securityHubInvalidInput('Name must be a string of 1 to 128 characters.');
  if (typeof name === 'string') policies[at] = { ...policies[at], name };
  ctx.associations.redeployPolicy(policyId);
  const description = typeof input.Description === 'string' ? input.Description : undefined;
  return {
    Arn: policyArn(ctx, policyId),
    Id: policyId,
    Name: policies[at].name,
    ...(description === undefined ? {} : { Description: description }),
    UpdatedAt: new Date(ctx.now()).toISOString(),
    CreatedAt: new Date(ctx.index.org.now).toISOString(),
    ...(input.ConfigurationPolicy === undefined ? {} : { ConfigurationPolicy: input.ConfigurationPolicy }),
  };
}

function policyArn(ctx: SecurityHubWriteContext, policyId: string): string {
  return `arn:aws:securityhub:${ctx.region}:${ctx.auditAccountId}:configuration-policy/${policyId}`;
}

/**
 * A policy UUID, its ARN, or (when `selfManagedAllowed`) SELF_MANAGED_SECURITY_HUB; an unknown
 * policy is ResourceNotFoundException (404).
 */
function policyIdOf(value: unknown, ctx: SecurityHubWriteContext, selfManagedAllowed: boolean): string {
  if (typeof value !== 'string' || value === '')
    throw securityHubInvalidInput('ConfigurationPolicyIdentifier is required.');
  if (selfManagedAllowed && value === SELF_MANAGED) return value;
  const id = value.startsWith('arn:') ? value.slice(value.lastIndexOf('/') + 1) : value;
  if (!ctx.index.org.policies.some((p) => p.id === id))
    throw resourceNotFound('The configuration policy was not found.');
  return id;
}

/** `Target: { AccountId | OrganizationalUnitId | RootId }`, exactly one member, in the organization. */
function targetOf(input: Input, ctx: SecurityHubWriteContext): string {
  const target = input.Target;
  const members =
    typeof target === 'object' && target !== null
      ? Object.entries(target as Input).filter(([, v]) => v !== undefined && v !== null)
      : [];
  const [member, value] = members[0] ?? [];
  if (
    members.length !== 1 ||
    member === undefined ||
    !(member in TARGET_MEMBERS) ||
    typeof value !== 'string' ||
    value === ''
  )
    throw securityHubInvalidInput('Target must set exactly one of AccountId, OrganizationalUnitId, RootId.');
  // Assumed: a target outside the organization is reported as not found.
  if (ctx.index.targetTypes.get(value) !== TARGET_MEMBERS[member])
    throw resourceNotFound('The target was not found in the organization.');
  return value;
}

function resourceNotFound(message: string): EmulatedServiceError {
  return new EmulatedServiceError('ResourceNotFoundException', 404, message, { Code: 'ResourceNotFoundException' });
}

function summaryJson(a: GeneratedAssociation): Input {
  return {
    ConfigurationPolicyId: a.configurationPolicyId,
    TargetId: a.targetId,
    TargetType: a.targetType,
    AssociationType: a.associationType,
    UpdatedAt: a.updatedAt,
    AssociationStatus: a.associationStatus,
    ...(a.associationStatusMessage === null ? {} : { AssociationStatusMessage: a.associationStatusMessage }),
  };
}
