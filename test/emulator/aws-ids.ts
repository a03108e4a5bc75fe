/**
 * Identifier and ARN formats of AWS Organizations and Security Hub, so that code under
 * test which validates ids (or prints them) sees exactly what the real services return.
 */
import type { Random } from './seeded-random';

/** `o-` followed by 10 lowercase alphanumerics (AWS allows 10 to 32). */
export function newOrganizationId(random: Random): string {
  return `o-${random.alnum(10)}`;
}

/** `r-` followed by 4 lowercase alphanumerics (AWS allows 4 to 32). */
export function newRootId(random: Random): string {
  return `r-${random.alnum(4)}`;
}

/**
 * `ou-<root part>-<8 lowercase alphanumerics>`: the middle part repeats the root id's
 * suffix, as in real OU ids.
 */
export function newOuId(random: Random, rootId: string): string {
  return `ou-${rootId.slice(2)}-${random.alnum(8)}`;
}

/** Twelve digits; the first is never 0 so the id never looks like a truncated number. */
export function newAccountId(random: Random): string {
  return `${random.int(1, 9)}${random.digits(11)}`;
}

/** A version-4-shaped UUID drawn from the seeded stream (never from `crypto`). */
export function newUuid(random: Random): string {
  const hex = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += random.int(0, 15).toString(16);
    return s;
  };
  const variant = (8 + random.int(0, 3)).toString(16);
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
}

/** The ARNs Organizations uses; all name the management account. */
export const arns = {
  organization: (managementAccountId: string, orgId: string): string =>
    `arn:aws:organizations::${managementAccountId}:organization/${orgId}`,
  root: (managementAccountId: string, orgId: string, rootId: string): string =>
    `arn:aws:organizations::${managementAccountId}:root/${orgId}/${rootId}`,
  ou: (managementAccountId: string, orgId: string, ouId: string): string =>
    `arn:aws:organizations::${managementAccountId}:ou/${orgId}/${ouId}`,
  account: (managementAccountId: string, orgId: string, accountId: string): string =>
    `arn:aws:organizations::${managementAccountId}:account/${orgId}/${accountId}`,
};

/** Patterns from the Organizations API reference, used to validate request ids. */
export const ID_PATTERNS = {
  root: /^r-[0-9a-z]{4,32}$/,
  ou: /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/,
  account: /^\d{12}$/,
} as const;
