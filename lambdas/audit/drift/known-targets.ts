import type { OrgSnapshot } from '../model';
import { UnknownTargetsError } from '../errors';

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
