/**
 * The Organizations operations the audit uses, as AWS JSON 1.1 request/response objects.
 * Field names and limits follow the Organizations API reference and the SDK's schema
 * (MaxResults 1..20; JoinedTimestamp in epoch seconds, the awsJson1_1 default).
 */
import { ID_PATTERNS } from './aws-ids';
import { legacyAccountStatus, type LegacyAccountStatusMode } from './emulator-faults';
import type { GeneratedAccount, GeneratedOu } from './generated-org';
import type { OrgIndex } from './org-index';
import { servePage, type PagingContext } from './paging';
import { malformAccount, type OrganizationsResponseFaults } from './response-faults';
import { EmulatedServiceError, organizationsInvalidInput, serializationError } from './service-error';

/** Operation names served, as they appear after `AWSOrganizationsV20161128.` in X-Amz-Target. */
export const ORGANIZATIONS_OPERATIONS = [
  'DescribeOrganization',
  'ListRoots',
  'ListOrganizationalUnitsForParent',
  'ListAccountsForParent',
  'ListAccounts',
  'ListChildren',
  'ListParents',
  'DescribeAccount',
  'DescribeOrganizationalUnit',
] as const;
export type OrganizationsOperation = (typeof ORGANIZATIONS_OPERATIONS)[number];

/** X-Amz-Target prefix of Organizations. */
export const ORGANIZATIONS_TARGET_PREFIX = 'AWSOrganizationsV20161128.';

const MAX_RESULTS = 20;

type Input = Record<string, unknown>;

/** What the handlers need besides the request. */
export interface OrganizationsContext {
  readonly index: OrgIndex;
  readonly paging: PagingContext;
  /** Invalid children and damaged accounts to serve. */
  readonly responses: OrganizationsResponseFaults;
  /** Reports how many invalid or damaged objects a response carried, for the stats. */
  readonly onMalformed: (count: number) => void;
}

/** Runs one operation. Throws {@link EmulatedServiceError} for anything AWS would reject. */
export function handleOrganizations(op: OrganizationsOperation, input: Input, ctx: OrganizationsContext): object {
  const { index, paging, responses } = ctx;
  const page = <T>(items: readonly T[], scope: string) =>
    servePage(items, { scope: `${op}|${scope}`, maxResults: maxResults(input), nextToken: nextToken(input) }, paging);
  // Invalid children are appended after the real ones; the real lists are only copied when there are any.
  const withExtra = <T>(items: readonly T[], extra: readonly T[] | undefined): readonly T[] =>
    extra?.length ? [...items, ...extra] : items;
  const extraOf = (parentId: string) => responses.extraChildren.get(parentId);
  const countExtras = (items: readonly (GeneratedAccount | GeneratedOu)[]): void => {
    if (responses.extras.size === 0) return;
    const n = items.filter((c) => responses.extras.has(c)).length;
    if (n > 0) ctx.onMalformed(n);
  };
  const accountsJson = (accounts: readonly GeneratedAccount[]): object[] => {
    countExtras(accounts);
    let damaged = 0;
    const out = accounts.map((a) => {
      const kinds = responses.malformedAccounts.get(a.id);
      const json = accountJson(a, responses.legacyAccountStatus);
      if (!kinds) return json;
      damaged++;
      return malformAccount(json, kinds);
    });
    if (damaged > 0) ctx.onMalformed(damaged);
    return out;
  };

  switch (op) {
    case 'DescribeOrganization': {
      const o = index.org.organization;
      return {
        Organization: {
          Id: o.id,
          Arn: o.arn,
          FeatureSet: 'ALL',
          MasterAccountArn: o.managementAccountArn,
          MasterAccountId: o.managementAccountId,
          MasterAccountEmail: o.managementAccountEmail,
          AvailablePolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
        },
      };
    }
    case 'ListRoots': {
      const p = page(index.org.roots, '');
      return withToken(
        { Roots: p.items.map((r) => ({ Id: r.id, Arn: r.arn, Name: r.name, PolicyTypes: [] })) },
        p.nextToken,
      );
    }
    case 'ListAccounts': {
      const p = page(withExtra(index.org.accounts, responses.extraAccounts), '');
      return withToken({ Accounts: accountsJson(p.items) }, p.nextToken);
    }
    case 'ListAccountsForParent': {
      const parentId = parentIdOf(input, index);
      const p = page(withExtra(index.children.get(parentId)!.accounts, extraOf(parentId)?.accounts), parentId);
      return withToken({ Accounts: accountsJson(p.items) }, p.nextToken);
    }
    case 'ListOrganizationalUnitsForParent': {
      const parentId = parentIdOf(input, index);
      const p = page(withExtra(index.children.get(parentId)!.ous, extraOf(parentId)?.ous), parentId);
      countExtras(p.items);
      return withToken({ OrganizationalUnits: p.items.map(ouJson) }, p.nextToken);
    }
    case 'ListChildren': {
      const parentId = parentIdOf(input, index);
      const childType = input.ChildType;
      if (childType !== 'ACCOUNT' && childType !== 'ORGANIZATIONAL_UNIT') {
        throw organizationsInvalidInput('INVALID_ENUM', 'You specified an invalid value for ChildType.');
      }
      const children = index.children.get(parentId)!;
      const extra = extraOf(parentId);
      const listed =
        childType === 'ACCOUNT' ? withExtra(children.accounts, extra?.accounts) : withExtra(children.ous, extra?.ous);
      const p = page<GeneratedOu | GeneratedAccount>(listed, `${parentId}|${childType}`);
      countExtras(p.items);
      return withToken({ Children: p.items.map((c) => ({ Id: c.id, Type: childType })) }, p.nextToken);
    }
    case 'DescribeAccount':
      return { Account: accountJson(describedAccount(input, index), responses.legacyAccountStatus) };
    case 'DescribeOrganizationalUnit':
      return { OrganizationalUnit: ouJson(describedOu(input, index)) };
    case 'ListParents': {
      // The benchmark's naive baseline and the re-check (where does a changed account sit now?) call it.
      const childId = input.ChildId;
      if (typeof childId !== 'string' || childId === '')
        throw organizationsInvalidInput('INPUT_REQUIRED', 'You must specify a value for ChildId.');
      if (!ID_PATTERNS.account.test(childId) && !ID_PATTERNS.ou.test(childId)) {
        throw organizationsInvalidInput(
          'INVALID_PATTERN',
          'You provided a value for ChildId that does not match the required pattern.',
        );
      }
      const parentId = index.parents.get(childId);
      if (parentId === undefined)
        throw new EmulatedServiceError(
          'ChildNotFoundException',
          400,
          "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.",
        );
      const p = page([{ Id: parentId, Type: index.targetTypes.get(parentId) }], childId);
      return withToken({ Parents: p.items }, p.nextToken);
    }
  }
}

/** The last page carries no NextToken member at all, as AWS responses do. */
function withToken<T extends object>(body: T, token: string | undefined): T & { NextToken?: string } {
  return token === undefined ? body : { ...body, NextToken: token };
}

/**
 * An Account object. `State` always, unless imitating answers from before it existed;
 * the retired `Status` only when imitating older answers.
 */
function accountJson(a: GeneratedAccount, legacy: LegacyAccountStatusMode | undefined): Record<string, unknown> {
  const status = legacy === undefined ? undefined : legacyAccountStatus(a.status);
  return {
    Id: a.id,
    Arn: a.arn,
    Email: a.email,
    Name: a.name,
    ...(status !== undefined ? { Status: status } : {}),
    ...(legacy !== 'statusOnly' ? { State: a.status } : {}),
    JoinedMethod: a.joinedMethod,
    JoinedTimestamp: a.joinedTimestamp / 1000,
  };
}

function ouJson(ou: GeneratedOu): object {
  return { Id: ou.id, Arn: ou.arn, Name: ou.name };
}

function maxResults(input: Input): number {
  const v = input.MaxResults;
  if (v === undefined || v === null) return MAX_RESULTS;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw serializationError('MaxResults must be an integer.');
  if (v > MAX_RESULTS)
    throw organizationsInvalidInput('MAX_VALUE_EXCEEDED', 'You provided a value that exceeds the maximum allowed.');
  if (v < 1)
    throw organizationsInvalidInput(
      'MIN_VALUE_EXCEEDED',
      'You provided a value that is less than the minimum allowed.',
    );
  return v;
}

function nextToken(input: Input): string | undefined {
  const v = input.NextToken;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw serializationError('NextToken must be a string.');
  return v;
}

/** ParentId: required, a root or OU id in AWS syntax, and existing. */
function parentIdOf(input: Input, index: OrgIndex): string {
  const v = input.ParentId;
  if (typeof v !== 'string' || v === '')
    throw organizationsInvalidInput('INPUT_REQUIRED', 'You must specify a value for ParentId.');
  if (!ID_PATTERNS.root.test(v) && !ID_PATTERNS.ou.test(v)) {
    throw organizationsInvalidInput(
      'INVALID_PATTERN',
      'You provided a value for ParentId that does not match the required pattern.',
    );
  }
  if (!index.children.has(v)) {
    throw new EmulatedServiceError(
      'ParentNotFoundException',
      400,
      "We can't find a root or OU with the ParentId that you specified.",
    );
  }
  return v;
}

/**
 * DescribeAccount's account: AccountId required, 12 digits, in the organization, else
 * AccountNotFoundException ("We can't find an AWS account with the AccountId that you specified").
 * https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribeAccount.html
 */
function describedAccount(input: Input, index: OrgIndex): GeneratedAccount {
  const id = input.AccountId;
  if (typeof id !== 'string' || id === '')
    throw organizationsInvalidInput('INPUT_REQUIRED', 'You must specify a value for AccountId.');
  if (!ID_PATTERNS.account.test(id))
    throw organizationsInvalidInput(
      'INVALID_PATTERN',
      'You provided a value for AccountId that does not match the required pattern.',
    );
  const account = index.org.accounts.find((a) => a.id === id);
  if (account === undefined)
    throw new EmulatedServiceError(
      'AccountNotFoundException',
      400,
      "We can't find an AWS account with the AccountId that you specified.",
    );
  return account;
}

/**
 * DescribeOrganizationalUnit's OU, else OrganizationalUnitNotFoundException.
 * https://docs.aws.amazon.com/organizations/latest/APIReference/API_DescribeOrganizationalUnit.html
 */
function describedOu(input: Input, index: OrgIndex): GeneratedOu {
  const id = input.OrganizationalUnitId;
  if (typeof id !== 'string' || id === '')
    throw organizationsInvalidInput('INPUT_REQUIRED', 'You must specify a value for OrganizationalUnitId.');
  if (!ID_PATTERNS.ou.test(id))
    throw organizationsInvalidInput(
      'INVALID_PATTERN',
      'You provided a value for OrganizationalUnitId that does not match the required pattern.',
    );
  const ou = index.org.ous.find((o) => o.id === id);
  if (ou === undefined)
    throw new EmulatedServiceError(
      'OrganizationalUnitNotFoundException',
      400,
      "We can't find an OU with the OrganizationalUnitId that you specified.",
    );
  return ou;
}
