/**
 * The quota floor: the fewest requests any client needs to audit a given organization,
 * and the least time the services' quotas allow for them. Pure arithmetic, so the unit
 * test can check it by hand and the benchmark can report how close the audit comes.
 *
 * Minimum calls per service:
 * - Organizations: 1 ListRoots page, then for every root and OU
 *   max(1, ceil(direct accounts / 20)) ListAccountsForParent pages and, for roots and OUs
 *   that can still have child OUs (depth < 5, AWS's nesting limit),
 *   max(1, ceil(direct child OUs / 20)) ListOrganizationalUnitsForParent pages.
 * - Security Hub: ceil(targets / groupSize) batch-gets for the first pass, then for each
 *   re-drive round k, ceil(targets still unprocessed after k calls / groupSize), from each
 *   target's drawn attempt count.
 * - Both: plus every injected 5xx answer, which any client has to send again.
 *
 * Time: a bucket of `burst` tokens refilled at `rate`/s serves `burst` requests at once
 * and one per 1/rate s after that, so n requests need max(0, n - burst) / rate seconds.
 * The two services' quotas are independent, so the floor of the audit is the larger of
 * the two (a client that overlapped the walk and the fan-out perfectly would reach it).
 */

import { ORGANIZATIONS_PAGE_SIZE } from '../../lambdas/audit/organizations/walk-organization';
import { MAX_OU_DEPTH } from '../../lambdas/audit/organizations/walk-state';
import type { GeneratedOrg } from '../emulator';

/** A root (depth 0) or OU with its direct children counted. */
export interface ContainerShape {
  readonly depth: number;
  readonly accounts: number;
  readonly ous: number;
}

/** Every root and OU of a generated organization with its direct children counted. */
export function containerShapes(org: Pick<GeneratedOrg, 'roots' | 'ous' | 'accounts'>): ContainerShape[] {
  const shapes = new Map<string, { depth: number; accounts: number; ous: number }>();
  for (const root of org.roots) shapes.set(root.id, { depth: 0, accounts: 0, ous: 0 });
  for (const ou of org.ous) shapes.set(ou.id, { depth: ou.depth, accounts: 0, ous: 0 });
  for (const ou of org.ous) shapes.get(ou.parentId)!.ous += 1;
  for (const account of org.accounts) shapes.get(account.parentId)!.accounts += 1;
  return [...shapes.values()];
}

/** Minimum Organizations requests, per operation. */
export interface OrganizationsMinimum {
  readonly ListRoots: number;
  readonly ListAccountsForParent: number;
  readonly ListOrganizationalUnitsForParent: number;
  readonly total: number;
}

/** Pages needed for a listing of `items`: an empty listing still costs one call. */
export const pages = (items: number, pageSize = ORGANIZATIONS_PAGE_SIZE): number =>
  Math.max(1, Math.ceil(items / pageSize));

/** Minimum Organizations requests to walk `containers` (every root and OU) with one root page. */
export function organizationsMinimum(containers: readonly ContainerShape[]): OrganizationsMinimum {
  let accounts = 0;
  let ous = 0;
  for (const c of containers) {
    accounts += pages(c.accounts);
    if (c.depth < MAX_OU_DEPTH) ous += pages(c.ous);
  }
  return {
    ListRoots: 1,
    ListAccountsForParent: accounts,
    ListOrganizationalUnitsForParent: ous,
    total: 1 + accounts + ous,
  };
}

/** Minimum Security Hub batch-get requests: first pass and each re-drive round. */
export interface SecurityHubMinimum {
  readonly firstPass: number;
  /** Element k-1 is re-drive round k. */
  readonly redriveRounds: readonly number[];
  readonly total: number;
}

/**
 * @param targets every target of the organization.
 * @param unprocessedAttempts for each target the service answers "unprocessed", how many
 *   calls it does so before processing it (`Infinity` = never); other targets are absent.
 * @param maxRounds re-drive rounds the audit allows; a target unprocessed for longer stays so.
 */
export function securityHubMinimum(
  targets: number,
  unprocessedAttempts: Iterable<number>,
  groupSize: number,
  maxRounds: number,
): SecurityHubMinimum {
  if (!Number.isInteger(groupSize) || groupSize < 1)
    throw new RangeError(`groupSize must be a positive integer, got ${groupSize}`);
  const attempts = [...unprocessedAttempts];
  const firstPass = Math.ceil(targets / groupSize);
  const redriveRounds: number[] = [];
  for (let round = 1; round <= maxRounds; round += 1) {
    // Round k re-sends what was unprocessed on the k-th call: targets drawn for >= k attempts.
    const left = attempts.filter((a) => a >= round).length;
    if (left === 0) break;
    redriveRounds.push(Math.ceil(left / groupSize));
  }
  return { firstPass, redriveRounds, total: firstPass + redriveRounds.reduce((a, b) => a + b, 0) };
}

/** Least seconds `calls` requests take under a quota (the bucket starts full). */
export function floorSeconds(calls: number, quota: { readonly ratePerSecond: number; readonly burst: number }): number {
  return Math.max(0, calls - quota.burst) / quota.ratePerSecond;
}

/** One service's floor as the benchmark prints it. */
export interface ServiceFloor {
  /** Pages or batch-gets the organization needs. */
  readonly requiredCalls: number;
  /** Injected 5xx answers, each of which costs one more call. */
  readonly serverErrors: number;
  readonly minCalls: number;
  readonly seconds: number;
}

/** Floor of one service: required calls plus repeated 5xx, through its quota. */
export function serviceFloor(
  requiredCalls: number,
  serverErrors: number,
  quota: { readonly ratePerSecond: number; readonly burst: number },
): ServiceFloor {
  const minCalls = requiredCalls + serverErrors;
  return { requiredCalls, serverErrors, minCalls, seconds: round3(floorSeconds(minCalls, quota)) };
}

/** The audit's floor: the slower service (quotas are independent); the sum for reference. */
export function auditFloor(
  organizations: ServiceFloor,
  securityHub: ServiceFloor,
): { readonly seconds: number; readonly sumSeconds: number } {
  return {
    seconds: Math.max(organizations.seconds, securityHub.seconds),
    sumSeconds: round3(organizations.seconds + securityHub.seconds),
  };
}

/** Rounds to milliseconds, for seconds printed in JSON. */
export const round3 = (value: number): number => Math.round(value * 1000) / 1000;

/** An organization's size as the one-invocation budget needs it. */
export interface OrgSize {
  readonly accounts: number;
  readonly ous: number;
  /** Roots; AWS allows exactly one per organization. */
  readonly roots: number;
}

/**
 * The most Organizations pages any organization of this size can need, whatever its
 * shape: max(1, ceil(a / 20)) <= a / 20 + 1 for each container's account listing, and the
 * same for its OU listing (every OU is listed under exactly one parent), so at most
 * 1 ListRoots + (accounts / 20 + containers) + (ous / 20 + containers), containers being
 * the roots and OUs. OUs at depth 5 need no OU listing, so real organizations need fewer.
 */
export function organizationsPagesUpperBound(size: OrgSize, pageSize = ORGANIZATIONS_PAGE_SIZE): number {
  const containers = size.roots + size.ous;
  return 1 + Math.ceil(size.accounts / pageSize + containers) + Math.ceil(size.ous / pageSize + containers);
}

/** Assumptions of {@link oneInvocationBudget}. */
export interface BudgetAssumptions {
  readonly organizations: { readonly ratePerSecond: number; readonly burst: number };
  readonly securityHub: { readonly ratePerSecond: number; readonly burst: number };
  readonly groupSize: number;
  /** Lambda's maximum timeout, 900 s. */
  readonly invocationSeconds: number;
  /** Share of the invocation that must be left over, e.g. 0.2. */
  readonly spareFraction: number;
}

/** Whether one invocation audits an organization of a given size, and with what to spare. */
export interface InvocationBudget {
  readonly organizationsPages: number;
  readonly securityHubCalls: number;
  readonly organizationsSeconds: number;
  readonly securityHubSeconds: number;
  /** Walk and fetch as one pipeline: the slower service's floor. */
  readonly pipelinedSeconds: number;
  /** Walk, then fetch: the sum of the floors. */
  readonly sequentialSeconds: number;
  /** invocationSeconds x (1 - spareFraction). */
  readonly budgetSeconds: number;
  /** 1 - pipelinedSeconds / invocationSeconds. */
  readonly spare: number;
  readonly fitsPipelined: boolean;
  readonly fitsSequential: boolean;
}

/**
 * The arithmetic of the README's "does the largest organization fit" paragraph: the
 * worst-case page count ({@link organizationsPagesUpperBound}) at the assumed
 * Organizations rate, one batch-get per `groupSize` targets at the Security Hub rate
 * (re-drives excluded: they are a few per cent of the first pass), and whether the
 * pipelined floor leaves `spareFraction` of the invocation unused.
 */
export function oneInvocationBudget(size: OrgSize, a: BudgetAssumptions): InvocationBudget {
  const organizationsPages = organizationsPagesUpperBound(size);
  const securityHubCalls = Math.ceil((size.accounts + size.ous + size.roots) / a.groupSize);
  const organizationsSeconds = round3(floorSeconds(organizationsPages, a.organizations));
  const securityHubSeconds = round3(floorSeconds(securityHubCalls, a.securityHub));
  const pipelinedSeconds = Math.max(organizationsSeconds, securityHubSeconds);
  const sequentialSeconds = round3(organizationsSeconds + securityHubSeconds);
  const budgetSeconds = round3(a.invocationSeconds * (1 - a.spareFraction));
  return {
    organizationsPages,
    securityHubCalls,
    organizationsSeconds,
    securityHubSeconds,
    pipelinedSeconds,
    sequentialSeconds,
    budgetSeconds,
    spare: round3(1 - pipelinedSeconds / a.invocationSeconds),
    fitsPipelined: pipelinedSeconds <= budgetSeconds,
    fitsSequential: sequentialSeconds <= budgetSeconds,
  };
}
