/**
 * From a plan to the part of the organization a re-check evaluates, as it is now: the
 * targets to report, with every ancestor up to the root (a target's expected policy is
 * inherited, so its ancestors are read too). The known tree places what it can; the
 * organization is asked only where an event moved, created or removed something, and a
 * target is never adopted from an event alone: an account is where ListParents says it is.
 */
import type { OrgSnapshot, OrgTarget } from '../model';
import type { KnownTree } from './known-tree';
import type { RecheckPlan } from './plan-recheck';
import { childrenOf, describeTarget, parentOf, typeOfId, type LiveNode, type LookupDeps } from './live-lookups';
import { MAX_OU_DEPTH } from '../organizations/walk-state';

/** What a re-check evaluates. */
export interface ResolvedTargets {
  /** The targets and their ancestors, parents before children. */
  readonly org: OrgSnapshot;
  /** Ids the re-check reports (every target of `org`: ancestors were read live too). */
  readonly reported: readonly string[];
  /** Targets confirmed gone from the organization: their findings close. */
  readonly gone: readonly string[];
  /** Listed entries with invalid ids (left out, like the nightly walk does). */
  readonly invalid: number;
}

interface Node extends LiveNode {
  readonly parentId: string | null;
}

class Resolver {
  readonly nodes = new Map<string, Node>();
  readonly gone: string[] = [];
  invalid = 0;

  constructor(
    private readonly deps: LookupDeps,
    private readonly tree: KnownTree | null,
  ) {}

  /** A node the known tree holds, without asking. */
  private known(id: string): Node | null {
    const row = this.tree?.get(id);
    if (row === undefined) return null;
    const node = { id, type: row.target_type, name: row.target_name, accountStatus: row.account_status };
    return { ...node, parentId: row.parent_id };
  }

  /** Where a target is now, asked live; gone when the organization does not know it. */
  async lookUp(id: string): Promise<void> {
    const type = typeOfId(id);
    if (type === null || this.nodes.has(id)) return;
    const parentId = type === 'ROOT' ? null : await parentOf(this.deps, id);
    const described = type === 'ROOT' || parentId !== null ? await this.describe(id, type) : null;
    if (described === null) {
      this.gone.push(id);
      return;
    }
    this.nodes.set(id, { ...described, parentId });
  }

  private async describe(id: string, type: NonNullable<ReturnType<typeof typeOfId>>): Promise<LiveNode | null> {
    const known = this.known(id);
    // A known name is good enough, but an account's state is what CloseAccount changes: asked live.
    if (known !== null && type !== 'ACCOUNT') return known;
    return describeTarget(this.deps, id, type);
  }

  /** The container and everything in it, listed live, level by level (OUs nest at most five deep). */
  async listSubtree(containerId: string): Promise<void> {
    await this.lookUp(containerId);
    let level = [containerId];
    for (let depth = 0; depth <= MAX_OU_DEPTH && level.length > 0; depth += 1) {
      const next: string[] = [];
      for (const parentId of level) {
        if (!this.nodes.has(parentId)) continue;
        const { nodes, invalid } = await childrenOf(this.deps, parentId);
        this.invalid += invalid;
        for (const node of nodes) this.nodes.set(node.id, { ...node, parentId });
        next.push(...nodes.filter((n) => n.type === 'ORGANIZATIONAL_UNIT').map((n) => n.id));
      }
      level = next;
    }
  }

  /** Targets the known tree places (a policy's, the organization's). */
  place(id: string): void {
    const node = this.known(id);
    if (node !== null && !this.nodes.has(id)) this.nodes.set(id, node);
  }

  /** Every ancestor of every node, from the known tree or asked live. */
  async addAncestors(): Promise<void> {
    for (let round = 0; round <= MAX_OU_DEPTH + 1; round += 1) {
      const missing = [...this.nodes.values()]
        .map((n) => n.parentId)
        .filter((p): p is string => p !== null && !this.nodes.has(p) && !this.gone.includes(p));
      if (missing.length === 0) return;
      for (const id of new Set(missing)) {
        // OUs never move (Organizations has no call for it), so a known container is where it was.
        const known = this.known(id);
        if (known !== null) this.nodes.set(id, known);
        else await this.lookUp(id);
      }
    }
  }
}

/** Ids from the root down to `id`'s container (for a container, to itself). */
function pathOf(nodes: ReadonlyMap<string, Node>, node: Node): string[] {
  const path: string[] = node.type === 'ACCOUNT' ? [] : [node.id];
  let parent = node.parentId;
  for (let hops = 0; parent !== null && hops <= MAX_OU_DEPTH + 1; hops += 1) {
    path.unshift(parent);
    parent = nodes.get(parent)?.parentId ?? null;
  }
  return path;
}

function snapshotOf(resolver: Resolver): OrgSnapshot {
  const targets: OrgTarget[] = [...resolver.nodes.values()].map((node) => ({
    id: node.id,
    type: node.type,
    name: node.name,
    parentId: node.parentId,
    ouPath: pathOf(resolver.nodes, node).join('/'),
    accountStatus: node.type === 'ACCOUNT' ? node.accountStatus : null,
  }));
  // Parents before children: by depth, accounts after the containers of their level.
  const depth = (t: OrgTarget) => t.ouPath.split('/').length + (t.type === 'ACCOUNT' ? 0.5 : 0);
  targets.sort((a, b) => depth(a) - depth(b));
  return { rootIds: targets.filter((t) => t.type === 'ROOT').map((t) => t.id), targets, rejected: [] };
}

/** See the module comment. @throws OrganizationsLookupError when a look-up fails. */
export async function resolveTargets(
  deps: LookupDeps,
  plan: RecheckPlan,
  tree: KnownTree | null,
): Promise<ResolvedTargets> {
  const resolver = new Resolver(deps, tree);
  for (const id of plan.subtrees) await resolver.listSubtree(id);
  for (const id of [...plan.lookUp, ...plan.gone]) await resolver.lookUp(id);
  for (const id of plan.placed) resolver.place(id);
  await resolver.addAncestors();
  const org = snapshotOf(resolver);
  return { org, reported: org.targets.map((t) => t.id), gone: resolver.gone, invalid: resolver.invalid };
}
