import type { OrgSnapshot } from '../model';

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
