import { AuditError } from '../errors';
import type { OrgSnapshot } from '../model';
import { displaySafe, listBounded } from '../util/display-text';

/** Unknown ids named in the message; the rest are counted ("and N more"). */
export const MAX_LISTED_UNKNOWN_IDS = 20;

/**
 * A document (baseline or exclusions) names targets the organization walk did not find
 * (BAD_INPUT). Usually a typo or a moved/closed account; failing loudly beats silently
 * auditing against a desired state that can never match.
 */
export class UnknownTargetsError extends AuditError {
  /** Every unknown id, deduplicated, in document order. */
  readonly unknownIds: readonly string[];
  readonly source: string;

  constructor(source: string, unknownIds: readonly string[]) {
    super(
      'BAD_INPUT',
      `${displaySafe(source)}: ${unknownIds.length} target id${unknownIds.length === 1 ? ' is' : 's are'} not in the organization: ${listBounded(unknownIds, MAX_LISTED_UNKNOWN_IDS, (id) => displaySafe(id))}`,
    );
    this.source = source;
    this.unknownIds = unknownIds;
  }
}

/**
 * Checks that every id names a target of the walked organization.
 * Throws {@link UnknownTargetsError} listing the unknown ids (the first
 * {@link MAX_LISTED_UNKNOWN_IDS} in the message, all of them in `unknownIds`),
 * not just the first, so one fix-and-redeploy cycle is enough.
 */
export function checkKnownTargets(ids: Iterable<string>, org: OrgSnapshot, source: string): void {
  const known = new Set(org.targets.map((t) => t.id));
  const unknown = new Set<string>();
  for (const id of ids) {
    if (!known.has(id)) unknown.add(id);
  }
  if (unknown.size > 0) throw new UnknownTargetsError(source, [...unknown]);
}
