/**
 * The Security Hub operations the audit uses (central-configuration reads, and the
 * findings' BatchImportFindings and GetFindings in `findings-store.ts`), as REST-JSON
 * request/response objects. Shapes follow the SDK schema: batch-get returns
 * ConfigurationPolicyAssociationSummary objects (not the request's identifier shape), and
 * UpdatedAt is an ISO 8601 date-time string.
 */
import { ASSOCIATION_STATUSES, ASSOCIATION_TYPES, type TargetType } from '../../lambdas/audit/model';
import type { BatchGetRefusal, MalformedKind } from './emulator-faults';
import type { FindingsStore } from './findings-store';
import type { GeneratedAssociation } from './generated-org';
import type { OrgIndex } from './org-index';
import { servePage, type PagingContext } from './paging';
import { malformSummary } from './response-faults';
import { EmulatedServiceError, securityHubInvalidInput } from './service-error';
import type { UnprocessedPlan } from './unprocessed-plan';

/** Paths served (all POST) and their operation names. */
export const SECURITYHUB_ROUTES: Readonly<Record<string, SecurityHubOperation>> = {
  '/configurationPolicyAssociation/batchget': 'BatchGetConfigurationPolicyAssociations',
  '/configurationPolicyAssociation/list': 'ListConfigurationPolicyAssociations',
  '/findings/import': 'BatchImportFindings',
  '/findings': 'GetFindings',
};
/**
 * Paths served with GET: their input is the query string (the SDK model's `location:
 * querystring` members), e.g. `GET /configurationPolicy/list?MaxResults=100&NextToken=…`.
 */
export const SECURITYHUB_GET_ROUTES: Readonly<Record<string, SecurityHubOperation>> = {
  '/configurationPolicy/list': 'ListConfigurationPolicies',
};
export type SecurityHubOperation =
  | 'ListConfigurationPolicies'
  | 'BatchGetConfigurationPolicyAssociations'
  | 'ListConfigurationPolicyAssociations'
  | 'BatchImportFindings'
  | 'GetFindings';

/** What the handlers need besides the request. */
export interface SecurityHubContext {
  readonly index: OrgIndex;
  readonly paging: PagingContext;
  readonly unprocessed: UnprocessedPlan;
  readonly maxBatchSize: number | undefined;
  /** When set, every batch-get is refused whole with this error. */
  readonly batchGetError: BatchGetRefusal | undefined;
  /** Target id to the ways batch-get damages its answer (see `SecurityHubFaults.malformed`). */
  readonly malformed: ReadonlyMap<string, ReadonlySet<MalformedKind>>;
  /** Where BatchImportFindings keeps the findings. */
  readonly findings: FindingsStore;
  /** Reports identifiers requested, unprocessed entries and damaged answers served, for the stats. */
  readonly onBatch: (requested: number, unprocessed: number, malformed: number) => void;
}

type Input = Record<string, unknown>;

/** Which Target member names which target type. */
const TARGET_MEMBERS: Readonly<Record<string, TargetType>> = {
  AccountId: 'ACCOUNT',
  OrganizationalUnitId: 'ORGANIZATIONAL_UNIT',
  RootId: 'ROOT',
};

const LIST_MAX_RESULTS = 100;

/** Runs one operation. Throws an EmulatedServiceError for anything AWS would reject. */
export function handleSecurityHub(op: SecurityHubOperation, input: Input, ctx: SecurityHubContext): object {
  switch (op) {
    case 'ListConfigurationPolicies':
      return listPolicies(input, ctx);
    case 'BatchGetConfigurationPolicyAssociations':
      return batchGet(input, ctx);
    case 'ListConfigurationPolicyAssociations':
      return list(input, ctx);
    case 'BatchImportFindings':
      return ctx.findings.import(input);
    case 'GetFindings':
      return ctx.findings.get(input, ctx.paging);
  }
}

function batchGet(input: Input, ctx: SecurityHubContext): object {
  if (ctx.batchGetError !== undefined) throw batchGetRefusal(ctx.batchGetError);
  const identifiers = input.ConfigurationPolicyAssociationIdentifiers;
  if (!Array.isArray(identifiers) || identifiers.length === 0) {
    throw securityHubInvalidInput('ConfigurationPolicyAssociationIdentifiers must be a non-empty list.');
  }
  if (ctx.maxBatchSize !== undefined && identifiers.length > ctx.maxBatchSize) {
    throw securityHubInvalidInput(
      `ConfigurationPolicyAssociationIdentifiers has ${identifiers.length} members; at most ${ctx.maxBatchSize} are allowed.`,
    );
  }
  // Validate the whole request before touching attempt counters: AWS rejects it whole.
  const targets = identifiers.map((identifier, i) => parseTarget(identifier, i));
  const vanished = targets.find(({ id }) => ctx.malformed.get(id)?.has('notFoundForCall'));
  if (vanished) {
    throw new EmulatedServiceError('ResourceNotFoundException', 404, `The target ${vanished.id} was not found.`, {
      Code: 'ResourceNotFoundException',
    });
  }

  const associations: object[] = [];
  const unprocessed: object[] = [];
  let malformed = 0;
  const seen = new Set<string>();
  for (const { id, declaredType, raw } of targets) {
    if (seen.has(id)) continue;
    seen.add(id);
    const actualType = ctx.index.targetTypes.get(id);
    if (actualType !== declaredType) {
      // Not part of the organization (or named with the wrong member). Assumed behaviour:
      // the service reports it per target rather than failing the batch.
      unprocessed.push(unprocessedJson(raw, '404', 'The target was not found in the organization.'));
      continue;
    }
    const damage = ctx.malformed.get(id);
    if (damage?.has('unknownTargetMember')) {
      // A member name this SDK version does not know, as a future service release might send.
      unprocessed.push(unprocessedJson({ Target: { FutureTargetId: id } }, '429', 'Rate exceeded'));
      malformed++;
      continue;
    }
    const verdict = ctx.unprocessed.check(id, actualType);
    if (verdict) {
      unprocessed.push(unprocessedJson(raw, verdict.errorCode, verdict.errorReason));
      continue;
    }
    const association = ctx.index.org.associations.get(id);
    // A seeded `missing` target: in neither list.
    if (!association) continue;
    if (damage) {
      associations.push(malformSummary(summaryJson(association), damage));
      malformed++;
    } else {
      associations.push(summaryJson(association));
    }
  }
  ctx.onBatch(identifiers.length, unprocessed.length, malformed);
  return {
    ConfigurationPolicyAssociations: associations,
    UnprocessedConfigurationPolicyAssociations: unprocessed,
  };
}

function list(input: Input, ctx: SecurityHubContext): object {
  const filters = (input.Filters ?? {}) as Input;
  if (typeof filters !== 'object' || filters === null) throw securityHubInvalidInput('Filters must be an object.');
  const policyId = optionalString(filters, 'ConfigurationPolicyId');
  const type = optionalEnum(filters, 'AssociationType', ASSOCIATION_TYPES);
  const status = optionalEnum(filters, 'AssociationStatus', ASSOCIATION_STATUSES);

  const maxResults = input.MaxResults ?? LIST_MAX_RESULTS;
  if (
    typeof maxResults !== 'number' ||
    !Number.isInteger(maxResults) ||
    maxResults < 1 ||
    maxResults > LIST_MAX_RESULTS
  ) {
    throw securityHubInvalidInput(`MaxResults must be an integer from 1 to ${LIST_MAX_RESULTS}.`);
  }
  const token = input.NextToken;
  if (token !== undefined && token !== null && typeof token !== 'string')
    throw securityHubInvalidInput('NextToken must be a string.');

  const all = ctx.index.associationList;
  const matching =
    policyId === undefined && type === undefined && status === undefined
      ? all
      : all.filter(
          (a) =>
            (policyId === undefined || a.configurationPolicyId === policyId) &&
            (type === undefined || a.associationType === type) &&
            (status === undefined || a.associationStatus === status),
        );
  const page = servePage(
    matching,
    {
      scope: `ListConfigurationPolicyAssociations|${policyId ?? ''}|${type ?? ''}|${status ?? ''}`,
      maxResults,
      nextToken: token ?? undefined,
    },
    ctx.paging,
  );
  const body: Record<string, unknown> = { ConfigurationPolicyAssociationSummaries: page.items.map(summaryJson) };
  if (page.nextToken !== undefined) body.NextToken = page.nextToken;
  return body;
}

/**
 * ListConfigurationPolicies (API reference): MaxResults 1-100 (botocore model), summaries
 * with Arn, Id, Name, Description, UpdatedAt and ServiceEnabled, paged like every list.
 */
function listPolicies(input: Input, ctx: SecurityHubContext): object {
  const raw = input.MaxResults;
  const maxResults = raw === undefined ? LIST_MAX_RESULTS : Number(raw);
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > LIST_MAX_RESULTS) {
    throw securityHubInvalidInput(`MaxResults must be an integer from 1 to ${LIST_MAX_RESULTS}.`);
  }
  const token = typeof input.NextToken === 'string' && input.NextToken !== '' ? input.NextToken : undefined;
  const page = servePage(
    ctx.index.org.policies,
    { scope: 'ListConfigurationPolicies', maxResults, nextToken: token },
    ctx.paging,
  );
  const body: Record<string, unknown> = {
    ConfigurationPolicySummaries: page.items.map((p) => ({
      Arn: `arn:aws:securityhub:us-east-1:${ctx.index.org.organization.managementAccountId}:configuration-policy/${p.id}`,
      Id: p.id,
      Name: p.name,
      ServiceEnabled: true,
    })),
  };
  if (page.nextToken !== undefined) body.NextToken = page.nextToken;
  return body;
}

interface ParsedTarget {
  readonly id: string;
  readonly declaredType: TargetType;
  /** The identifier exactly as sent, echoed back in unprocessed entries. */
  readonly raw: object;
}

/** `{ Target: { AccountId | OrganizationalUnitId | RootId } }`, exactly one member set. */
function parseTarget(identifier: unknown, i: number): ParsedTarget {
  const target = (identifier as Input | null)?.Target;
  if (typeof target !== 'object' || target === null) {
    throw securityHubInvalidInput(`ConfigurationPolicyAssociationIdentifiers[${i}].Target is required.`);
  }
  const members = Object.entries(target as Input).filter(([, v]) => v !== undefined && v !== null);
  const [member, value] = members[0] ?? [];
  if (
    members.length !== 1 ||
    member === undefined ||
    !(member in TARGET_MEMBERS) ||
    typeof value !== 'string' ||
    value === ''
  ) {
    throw securityHubInvalidInput(
      `ConfigurationPolicyAssociationIdentifiers[${i}].Target must set exactly one of AccountId, OrganizationalUnitId, RootId.`,
    );
  }
  return { id: value, declaredType: TARGET_MEMBERS[member], raw: { Target: { [member]: value } } };
}

function unprocessedJson(identifier: object, errorCode: string, errorReason: string): object {
  return { ConfigurationPolicyAssociationIdentifiers: identifier, ErrorCode: errorCode, ErrorReason: errorReason };
}

function summaryJson(a: GeneratedAssociation): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ConfigurationPolicyId: a.configurationPolicyId,
    TargetId: a.targetId,
    TargetType: a.targetType,
    AssociationType: a.associationType,
    UpdatedAt: a.updatedAt,
    AssociationStatus: a.associationStatus,
  };
  if (a.associationStatusMessage !== null) out.AssociationStatusMessage = a.associationStatusMessage;
  return out;
}

function optionalString(obj: Input, key: string): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v === '') throw securityHubInvalidInput(`Filters.${key} must be a non-empty string.`);
  return v;
}

function optionalEnum(obj: Input, key: string, allowed: readonly string[]): string | undefined {
  const v = optionalString(obj, key);
  if (v !== undefined && !allowed.includes(v))
    throw securityHubInvalidInput(`Filters.${key} must be one of ${allowed.join(', ')}.`);
  return v;
}

/**
 * The whole-call refusals, with the HTTP statuses of the SDK model (403, 401, 404) and the
 * `Code` member Security Hub puts in its error bodies.
 */
function batchGetRefusal(code: BatchGetRefusal): EmulatedServiceError {
  const refusals: Record<BatchGetRefusal, readonly [number, string]> = {
    AccessDeniedException: [
      403,
      'User is not authorized to perform: securityhub:BatchGetConfigurationPolicyAssociations',
    ],
    InvalidAccessException: [
      401,
      'Account is not subscribed to AWS Security Hub or is not the delegated administrator in its home Region',
    ],
    ResourceNotFoundException: [404, 'Central configuration is not enabled for the organization'],
  };
  const [status, message] = refusals[code];
  return new EmulatedServiceError(code, status, message, { Code: code });
}
