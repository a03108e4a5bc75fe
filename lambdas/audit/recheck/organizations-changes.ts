/**
 * What each Organizations change event means for the re-check, read from the CloudTrail
 * record: `requestParameters` are the API's request members, first letter lower-cased
 * (https://docs.aws.amazon.com/organizations/latest/APIReference/API_MoveAccount.html and the
 * pages of the other calls); the asynchronous account creation ends in a `CreateAccountResult`
 * service event whose `serviceEventDetails.createAccountStatus` is a CreateAccountStatus
 * (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccountStatus.html).
 */
import { ACCOUNT_ID_PATTERN, OU_ID_PATTERN, ROOT_ID_PATTERN } from '../target-ids';
import type { OrganizationsChangeCall, OrganizationsServiceEvent } from './change-events';
import { idAt, isProblem, malformed, objectAt, ownField, type JsonObject, type ScopeVerdict } from './event-fields';

/** A parent is a root or an OU (the API's ParentId pattern). */
const PARENT_ID_PATTERN = new RegExp(`${ROOT_ID_PATTERN.source}|${OU_ID_PATTERN.source}`);
/** Longest OU name the API accepts (OrganizationalUnitName, 1–128 characters); a longer one is not kept. */
const MAX_OU_NAME = 128;

const REQUEST = 'requestParameters';

/** MoveAccount: the account, now under `destinationParentId`. */
function moveAccount(request: JsonObject): ScopeVerdict {
  const accountId = idAt(request, 'accountId', REQUEST, ACCOUNT_ID_PATTERN, 'an account id');
  if (isProblem(accountId)) return accountId;
  const source = idAt(request, 'sourceParentId', REQUEST, PARENT_ID_PATTERN, 'a root or OU id');
  if (isProblem(source)) return source;
  const parentId = idAt(request, 'destinationParentId', REQUEST, PARENT_ID_PATTERN, 'a root or OU id');
  return isProblem(parentId) ? parentId : { scope: { kind: 'ACCOUNT', accountId, parentId } };
}

/** CreateOrganizationalUnit: the new OU's id is only in the response. */
function createOu(request: JsonObject, detail: JsonObject): ScopeVerdict {
  const parentId = idAt(request, 'parentId', REQUEST, PARENT_ID_PATTERN, 'a root or OU id');
  if (isProblem(parentId)) return parentId;
  const ou = objectAt(detail, 'responseElements.organizationalUnit');
  if (isProblem(ou)) return ou;
  const ouId = idAt(ou, 'id', 'responseElements.organizationalUnit', OU_ID_PATTERN, 'an OU id');
  if (isProblem(ouId)) return ouId;
  const name = ownField(ou, 'name');
  const kept = typeof name === 'string' && name.length > 0 && name.length <= MAX_OU_NAME ? name : null;
  return { scope: { kind: 'OU_CREATED', ouId, parentId, name: kept } };
}

/** The scope of one successful Organizations call (failed calls never get here). */
function callScope(eventName: OrganizationsChangeCall, detail: JsonObject): ScopeVerdict {
  const request = objectAt(detail, REQUEST);
  if (isProblem(request)) return request;
  const accountId = () => idAt(request, 'accountId', REQUEST, ACCOUNT_ID_PATTERN, 'an account id');
  switch (eventName) {
    case 'MoveAccount':
      return moveAccount(request);
    case 'CreateOrganizationalUnit':
      return createOu(request, detail);
    case 'DeleteOrganizationalUnit': {
      const ouId = idAt(request, 'organizationalUnitId', REQUEST, OU_ID_PATTERN, 'an OU id');
      return isProblem(ouId) ? ouId : { scope: { kind: 'OU_GONE', ouId } };
    }
    case 'RemoveAccountFromOrganization': {
      const id = accountId();
      return isProblem(id) ? id : { scope: { kind: 'ACCOUNT_GONE', accountId: id } };
    }
    case 'CloseAccount': {
      // Closing is asynchronous: the account stays a member (SUSPENDED, then PENDING_CLOSURE) for a while.
      const id = accountId();
      return isProblem(id) ? id : { scope: { kind: 'ACCOUNT', accountId: id, parentId: null } };
    }
  }
}

/** CreateAccountResult: a new account (under the root) once the creation SUCCEEDED; otherwise nothing changed. */
function createAccountResult(detail: JsonObject): ScopeVerdict {
  const path = 'serviceEventDetails.createAccountStatus';
  const status = objectAt(detail, path);
  if (isProblem(status)) return status;
  const state = ownField(status, 'state');
  if (state === 'FAILED' || state === 'IN_PROGRESS') return { ignored: `account creation ${state}` };
  if (state !== 'SUCCEEDED') return malformed(`${path}.state`, state, 'expected SUCCEEDED, FAILED or IN_PROGRESS');
  const accountId = idAt(status, 'accountId', path, ACCOUNT_ID_PATTERN, 'an account id');
  return isProblem(accountId) ? accountId : { scope: { kind: 'ACCOUNT', accountId, parentId: null } };
}

/** The scope of one Organizations change event. */
export function organizationsScope(
  eventName: OrganizationsChangeCall | OrganizationsServiceEvent,
  detail: JsonObject,
): ScopeVerdict {
  return eventName === 'CreateAccountResult' ? createAccountResult(detail) : callScope(eventName, detail);
}
