import type { OrgSnapshot } from '../model';

/** Root id as AWS Organizations issues it, e.g. `r-ab12`. */
export const ROOT_ID_PATTERN = /^r-[0-9a-z]{4,32}$/;
/** Organizational unit id, e.g. `ou-ab12-cd34ef56`. */
export const OU_ID_PATTERN = /^ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/;
/** Account id: exactly twelve digits. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/** What a target id looks like, for error messages. */
export const TARGET_ID_EXPECTATION = 'expected a root (r-…), OU (ou-…-…) or 12-digit account id';

/** True when `id` has the shape of a root, OU or account id. */
export function isTargetId(id: string): boolean {
  return ROOT_ID_PATTERN.test(id) || OU_ID_PATTERN.test(id) || ACCOUNT_ID_PATTERN.test(id);
}

/**
 * A document (baseline or exclusions) names targets the organization walk did not find.
 * Usually a typo or a moved/closed account; failing loudly beats silently auditing
 * against a desired state that can never match.
 */
export class UnknownTargetsError extends Error {
  /** Every unknown id, deduplicated, in document order. */
  readonly unknownIds: readonly string[];
  readonly source: string;

  constructor(source: string, unknownIds: readonly string[]) {
    super(
      `${source}: ${unknownIds.length} target id${unknownIds.length === 1 ? ' is' : 's are'} not in the organization: ${unknownIds.join(', ')}`,
    );
    this.name = 'UnknownTargetsError';
    this.source = source;
    this.unknownIds = unknownIds;
  }
}

/**
 * Checks that every id names a target of the walked organization.
 * Throws {@link UnknownTargetsError} listing all unknown ids, not just the first,
 * so one fix-and-redeploy cycle is enough.
 */
export function checkKnownTargets(ids: Iterable<string>, org: OrgSnapshot, source: string): void {
  const known = new Set(org.targets.map((t) => t.id));
  const unknown = new Set<string>();
  for (const id of ids) {
    if (!known.has(id)) unknown.add(id);
  }
  if (unknown.size > 0) throw new UnknownTargetsError(source, [...unknown]);
}
