/**
 * Changes to the emulated organization's tree, keeping the organization and its indexes in
 * step (the lists the reads page over, the parent and type look-ups). No validation here:
 * organizations-writes.ts checks a request before it calls these.
 */
import type { AccountStatus } from '../../lambdas/audit/model';
import type { GeneratedAccount, GeneratedOu } from './generated-org';
import type { MutableOrgIndex } from './org-index';

/** Adds an OU under its parent (last among the parent's OUs). */
export function addOu(index: MutableOrgIndex, ou: GeneratedOu): void {
  index.org.ous.push(ou);
  index.children.set(ou.id, { ous: [], accounts: [] });
  index.children.get(ou.parentId)!.ous.push(ou);
  index.targetTypes.set(ou.id, 'ORGANIZATIONAL_UNIT');
  index.parents.set(ou.id, ou.parentId);
}

/** Removes an (empty) OU. */
export function removeOu(index: MutableOrgIndex, ouId: string): void {
  const parentId = index.parents.get(ouId)!;
  removeWhere(index.org.ous, (o) => o.id === ouId);
  removeWhere(index.children.get(parentId)!.ous, (o) => o.id === ouId);
  index.children.delete(ouId);
  index.targetTypes.delete(ouId);
  index.parents.delete(ouId);
}

/** Adds an account under its parent (last among the parent's accounts). */
export function addAccount(index: MutableOrgIndex, account: GeneratedAccount): void {
  index.org.accounts.push(account);
  index.children.get(account.parentId)!.accounts.push(account);
  index.targetTypes.set(account.id, 'ACCOUNT');
  index.parents.set(account.id, account.parentId);
}

/** Removes an account from the organization. */
export function removeAccount(index: MutableOrgIndex, accountId: string): void {
  const parentId = index.parents.get(accountId)!;
  removeWhere(index.org.accounts, (a) => a.id === accountId);
  removeWhere(index.children.get(parentId)!.accounts, (a) => a.id === accountId);
  index.targetTypes.delete(accountId);
  index.parents.delete(accountId);
}

/** Moves an account to another parent (last among its new siblings). */
export function moveAccount(index: MutableOrgIndex, accountId: string, destinationId: string): void {
  const moved = replaceAccount(index, accountId, { parentId: destinationId });
  removeWhere(index.children.get(index.parents.get(accountId)!)!.accounts, (a) => a.id === accountId);
  index.children.get(destinationId)!.accounts.push(moved);
  index.parents.set(accountId, destinationId);
}

/** Sets an account's state (ACTIVE, PENDING_CLOSURE, SUSPENDED…). */
export function setAccountStatus(index: MutableOrgIndex, accountId: string, status: AccountStatus): void {
  const updated = replaceAccount(index, accountId, { status });
  const siblings = index.children.get(updated.parentId)!.accounts;
  siblings[siblings.findIndex((a) => a.id === accountId)] = updated;
}

/** Accounts are immutable records: swap in a changed copy, keeping its place in the account list. */
function replaceAccount(
  index: MutableOrgIndex,
  accountId: string,
  patch: Partial<Pick<GeneratedAccount, 'parentId' | 'status'>>,
): GeneratedAccount {
  const at = index.org.accounts.findIndex((a) => a.id === accountId);
  const updated = { ...index.org.accounts[at], ...patch };
  index.org.accounts[at] = updated;
  return updated;
}

function removeWhere<T>(list: T[], match: (item: T) => boolean): void {
  const at = list.findIndex(match);
  if (at >= 0) list.splice(at, 1);
}
