/**
 * Entry point of the organization generator: options in, ground truth out.
 */
import { assignAssociations } from './assign-associations';
import { buildOrgTree } from './build-org-tree';
import type { GeneratedOrg } from './generated-org';
import { resolveGenerateOptions, type GenerateOrganizationOptions } from './generator-options';

/**
 * Generates an organization with Security Hub policy associations and seeded anomalies.
 *
 * Pure and deterministic: the same options (seed and `now` included) give an identical
 * result. Linear in the number of targets, so 10,000 accounts take milliseconds.
 *
 * @throws {@link GenerateOrganizationError} when options are out of range or the anomaly
 *   counts exceed the eligible targets.
 */
export function generateOrganization(options: GenerateOrganizationOptions = {}): GeneratedOrg {
  const resolved = resolveGenerateOptions(options);
  const tree = buildOrgTree(resolved);
  const assigned = assignAssociations(tree, resolved);
  return {
    seed: resolved.seed,
    now: resolved.now,
    stalePendingHours: resolved.stalePendingHours,
    ...tree,
    ...assigned,
  };
}
