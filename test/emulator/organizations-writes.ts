/**
 * The Organizations write calls behind the re-check's change events, as AWS JSON 1.1
 * request/response objects. Shapes and error names follow the botocore model
 * (organizations 2016-11-28 service-2.json) and the API reference cited beside each call.
 * Each successful call emits one CloudTrail-shaped event; a failed call emits none.
 */
import { arns, ID_PATTERNS, newAccountId, newOuId } from './aws-ids';
import type { AssociationEngine } from './association-engine';
import type { DeferredTasks } from './deferred-tasks';
import { MAX_OU_DEPTH } from './generator-options';
import type { MutableOrgIndex } from './org-index';
import { addAccount, addOu, moveAccount, removeAccount, removeOu, setAccountStatus } from './org-tree-edits';
import type { Random } from './seeded-random';
import { EmulatedServiceError, organizationsInvalidInput } from './service-error';

/** Write operations served, as they appear after `AWSOrganizationsV20161128.` in X-Amz-Target. */
export const ORGANIZATIONS_WRITE_OPERATIONS = [
  'MoveAccount',
  'CreateOrganizationalUnit',
  'DeleteOrganizationalUnit',
  'CreateAccount',
  'RemoveAccountFromOrganization',
  'CloseAccount',
] as const;
export type OrganizationsWriteOperation = (typeof ORGANIZATIONS_WRITE_OPERATIONS)[number];

/** Timings and quotas of the write calls. */
export interface OrganizationsWriteSettings {
  /** How long CreateAccount stays IN_PROGRESS. */
  readonly createAccountMs: number;
  /** How long a closed account stays PENDING_CLOSURE before it is SUSPENDED. */
  readonly closeAccountMs: number;
  /**
   * OUs an organization may have: 2,000
   * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html).
   */
  readonly ouQuota: number;
}

/** What the write handlers need besides the request. */
export interface OrganizationsWriteContext {
  readonly index: MutableOrgIndex;
  readonly associations: AssociationEngine;
  readonly deferred: DeferredTasks;
  /** Seeded stream for new ids. */
  readonly random: Random;
  /** Epoch ms. */
  readonly now: () => number;
  readonly settings: OrganizationsWriteSettings;
  /** Emits the API-call event of a successful call. */
  readonly emitCall: (eventName: OrganizationsWriteOperation, request: Input, response: Input | null) => void;
  /** Emits a service event (CreateAccountResult) at `time`. */
  readonly emitServiceEvent: (eventName: 'CreateAccountResult', time: number, details: Input) => void;
}

type Input = Record<string, unknown>;

const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';

const notFound = (code: string, message: string) => new EmulatedServiceError(code, 400, message);

/** Runs one write. Throws {@link EmulatedServiceError} for anything AWS would reject. */
export function handleOrganizationsWrite(
  op: OrganizationsWriteOperation,
  input: Input,
  ctx: OrganizationsWriteContext,
): object {
  const handlers: Record<OrganizationsWriteOperation, (input: Input, ctx: OrganizationsWriteContext) => Input | null> =
    {
      MoveAccount: move,
      CreateOrganizationalUnit: createOu,
      DeleteOrganizationalUnit: deleteOu,
      CreateAccount: createAccount,
      RemoveAccountFromOrganization: removeFromOrg,
      CloseAccount: closeAccount,
    };
  const response = handlers[op](input, ctx);
  // Assumed from CloudTrail records of CreateAccount: the sensitive members are not logged.
  const recorded = op === 'CreateAccount' ? { ...input, Email: HIDDEN, AccountName: HIDDEN } : input;
  ctx.emitCall(op, recorded, response);
  return response ?? {};
}

/** MoveAccount (https://docs.aws.amazon.com/organizations/latest/APIReference/API_MoveAccount.html). */
function move(input: Input, ctx: OrganizationsWriteContext): null {
  const { index } = ctx;
  const accountId = accountIdOf(input, index);
  const source = containerId(input, 'SourceParentId', index, 'SourceParentNotFoundException', 'source root or OU');
  const destination = containerId(
    input,
    'DestinationParentId',
    index,
    'DestinationParentNotFoundException',
    'destination root or OU',
  );
  const current = index.parents.get(accountId);
  if (current === destination)
    throw new EmulatedServiceError(
      'DuplicateAccountException',
      400,
      'That account is already present in the specified destination.',
    );
  // Assumed: a source that exists but is not the account's parent is answered like an unknown source.
  if (current !== source)
    throw notFound(
      'SourceParentNotFoundException',
      "We can't find a source root or OU with the ParentId that you specified.",
    );
  moveAccount(index, accountId, destination);
  ctx.associations.reinherit(accountId);
  return null;
}

/**
 * CreateOrganizationalUnit
 * (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateOrganizationalUnit.html):
 * at most five levels of OUs under the root and 2,000 OUs
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html).
 */
function createOu(input: Input, ctx: OrganizationsWriteContext): Input {
  const { index } = ctx;
  const parentId = containerId(input, 'ParentId', index, 'ParentNotFoundException', 'root or OU');
  const name = boundedString(input, 'Name', 1, 128);
  const parentDepth =
    index.targetTypes.get(parentId) === 'ROOT' ? 0 : index.org.ous.find((o) => o.id === parentId)!.depth;
  if (parentDepth + 1 > MAX_OU_DEPTH)
    throw constraint('OU_DEPTH_LIMIT_EXCEEDED', 'You attempted to create an OU tree that is too many levels deep.');
  if (index.org.ous.length >= ctx.settings.ouQuota)
    throw constraint(
      'OU_NUMBER_LIMIT_EXCEEDED',
      'You attempted to exceed the number of OUs that you can have in an organization.',
    );
  if (index.children.get(parentId)!.ous.some((o) => o.name === name))
    throw new EmulatedServiceError(
      'DuplicateOrganizationalUnitException',
      400,
      'An OU with the same name already exists.',
    );
  const rootId = index.org.roots[0].id;
  let id: string;
  do id = newOuId(ctx.random, rootId);
  while (index.targetTypes.has(id));
  const { organization } = index.org;
  const arn = arns.ou(organization.managementAccountId, organization.id, id);
  addOu(index, { id, arn, name, parentId, depth: parentDepth + 1 });
  ctx.associations.reinherit(id);
  return { OrganizationalUnit: { Id: id, Arn: arn, Name: name } };
}

/** DeleteOrganizationalUnit (https://docs.aws.amazon.com/organizations/latest/APIReference/API_DeleteOrganizationalUnit.html). */
function deleteOu(input: Input, ctx: OrganizationsWriteContext): null {
  const { index } = ctx;
  const id = requiredString(input, 'OrganizationalUnitId');
  if (!ID_PATTERNS.ou.test(id)) throw badPattern('OrganizationalUnitId');
  if (index.targetTypes.get(id) !== 'ORGANIZATIONAL_UNIT')
    throw notFound(
      'OrganizationalUnitNotFoundException',
      "We can't find an OU with the OrganizationalUnitId that you specified.",
    );
  const children = index.children.get(id)!;
  if (children.ous.length > 0 || children.accounts.length > 0)
    throw new EmulatedServiceError(
      'OrganizationalUnitNotEmptyException',
      400,
      'The specified OU is not empty. Move all accounts to another root or to other OUs, remove all child OUs, and try the operation again.',
    );
  removeOu(index, id);
  ctx.associations.forget(id);
  return null;
}

/**
 * CreateAccount (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html):
 * asynchronous; the request answers IN_PROGRESS, the account later joins under the root and
 * Organizations records a CreateAccountResult service event
 * (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_security_incident-response.html).
 */
function createAccount(input: Input, ctx: OrganizationsWriteContext): Input {
  const { index } = ctx;
  const email = boundedString(input, 'Email', 6, 64);
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw badPattern('Email');
  const accountName = boundedString(input, 'AccountName', 1, 128);
  const requestId = `car-${ctx.random.alnum(32)}`;
  const requestedAt = ctx.now();
  ctx.deferred.schedule(requestedAt + ctx.settings.createAccountMs, (at) => {
    let accountId: string;
    do accountId = newAccountId(ctx.random);
    while (index.targetTypes.has(accountId));
    const { organization } = index.org;
    const rootId = index.org.roots[0].id;
    addAccount(index, {
      id: accountId,
      arn: arns.account(organization.managementAccountId, organization.id, accountId),
      name: accountName,
      email,
      parentId: rootId,
      status: 'ACTIVE',
      joinedMethod: 'CREATED',
      joinedTimestamp: at,
    });
    ctx.associations.reinherit(accountId);
    ctx.emitServiceEvent('CreateAccountResult', at, {
      createAccountStatus: {
        id: requestId,
        state: 'SUCCEEDED',
        accountName,
        accountId,
        requestedTimestamp: requestedAt / 1000,
        completedTimestamp: at / 1000,
      },
    });
  });
  return {
    CreateAccountStatus: {
      Id: requestId,
      AccountName: accountName,
      State: 'IN_PROGRESS',
      RequestedTimestamp: requestedAt / 1000,
    },
  };
}

/**
 * RemoveAccountFromOrganization
 * (https://docs.aws.amazon.com/organizations/latest/APIReference/API_RemoveAccountFromOrganization.html):
 * the management account cannot leave.
 */
function removeFromOrg(input: Input, ctx: OrganizationsWriteContext): null {
  const { index } = ctx;
  const accountId = accountIdOf(input, index);
  if (accountId === index.org.organization.managementAccountId)
    throw new EmulatedServiceError(
      'MasterCannotLeaveOrganizationException',
      400,
      'You can never remove a management account from its organization.',
    );
  removeAccount(index, accountId);
  ctx.associations.forget(accountId);
  return null;
}

/**
 * CloseAccount (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CloseAccount.html):
 * the account is PENDING_CLOSURE, then SUSPENDED; never the management account.
 */
function closeAccount(input: Input, ctx: OrganizationsWriteContext): null {
  const { index } = ctx;
  const accountId = accountIdOf(input, index);
  if (accountId === index.org.organization.managementAccountId)
    throw constraint('CANNOT_CLOSE_MANAGEMENT_ACCOUNT', 'You attempted to close the management account.');
  const account = index.org.accounts.find((a) => a.id === accountId)!;
  if (account.status !== 'ACTIVE')
    throw new EmulatedServiceError(
      'AccountAlreadyClosedException',
      400,
      'You attempted to close an account that is already closed.',
    );
  setAccountStatus(index, accountId, 'PENDING_CLOSURE');
  ctx.deferred.schedule(ctx.now() + ctx.settings.closeAccountMs, () => {
    if (index.targetTypes.get(accountId) === 'ACCOUNT') setAccountStatus(index, accountId, 'SUSPENDED');
  });
  return null;
}

function requiredString(input: Input, member: string): string {
  const v = input[member];
  if (typeof v !== 'string' || v === '')
    throw organizationsInvalidInput('INPUT_REQUIRED', `You must specify a value for ${member}.`);
  return v;
}

function boundedString(input: Input, member: string, min: number, max: number): string {
  const v = requiredString(input, member);
  if (v.length < min)
    throw organizationsInvalidInput('MIN_LENGTH_EXCEEDED', `${member} is shorter than ${min} characters.`);
  if (v.length > max)
    throw organizationsInvalidInput('MAX_LENGTH_EXCEEDED', `${member} is longer than ${max} characters.`);
  return v;
}

function badPattern(member: string): EmulatedServiceError {
  return organizationsInvalidInput(
    'INVALID_PATTERN',
    `You provided a value for ${member} that does not match the required pattern.`,
  );
}

function constraint(reason: string, message: string): EmulatedServiceError {
  return new EmulatedServiceError('ConstraintViolationException', 400, message, { Reason: reason });
}

/** AccountId: required, twelve digits, a member of the organization. */
function accountIdOf(input: Input, index: MutableOrgIndex): string {
  const id = requiredString(input, 'AccountId');
  if (!ID_PATTERNS.account.test(id)) throw badPattern('AccountId');
  if (index.targetTypes.get(id) !== 'ACCOUNT')
    throw notFound('AccountNotFoundException', "We can't find an AWS account with the AccountId that you specified.");
  return id;
}

/** A root or OU id member: required, in AWS syntax, existing (else `code`). */
function containerId(input: Input, member: string, index: MutableOrgIndex, code: string, what: string): string {
  const id = requiredString(input, member);
  if (!ID_PATTERNS.root.test(id) && !ID_PATTERNS.ou.test(id)) throw badPattern(member);
  if (!index.children.has(id)) throw notFound(code, `We can't find a ${what} with the ${member} that you specified.`);
  return id;
}
