/**
 * The naive baseline the issue compares against: how a straightforward script would do
 * the same audit. Sequential walk (ListRoots, recursive ListOrganizationalUnitsForParent,
 * ListAccounts pages, then one ListParents call per account for its parent), then one
 * BatchGetConfigurationPolicyAssociations per target, one after the other; no client-side
 * limiter, the SDK's default retries (standard mode, 3 attempts), no re-drive of
 * unprocessed entries. A call that still fails is counted and skipped (a real script
 * would mostly have crashed there).
 *
 * `limit` caps the two per-target phases (ListParents and batch-get) at that many calls
 * each, so the baseline does not dominate the benchmark's run time; their time, calls and
 * throttles are then extrapolated linearly to every account / target (each call in those
 * phases is alike, so per-call cost is what scales), and the line says `capped: true`.
 */
import {
  ListAccountsCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  BatchGetConfigurationPolicyAssociationsCommand,
  SecurityHubClient,
  type ConfigurationPolicyAssociation,
} from '@aws-sdk/client-securityhub';
import { emulatorClientConfig, type EmulatorStats } from '../emulator';
import { byService, sum } from './audit-scenario';
import type { EmulatorProcess } from './emulator-process';
import { auditFloor, round3, serviceFloor } from './floor';
import { startHeapSampler } from './memory';
import { BENCH_QUOTAS } from './quotas';
import { BENCH_TUNING, type Scenario } from './scenarios';

const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** Pages through a list operation; stops at a page that failed for good. */
async function listAll<T>(
  fetchPage: (token: string | undefined) => Promise<{ items: T[]; next?: string } | undefined>,
): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    if (!page) break;
    out.push(...page.items);
    token = page.next;
  } while (token);
  return out;
}

/** Counters of one phase, from two emulator snapshots. */
function phase(before: EmulatorStats, after: EmulatorStats, ms: number) {
  const diff = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): number => sum(b) - sum(a);
  return {
    seconds: round3(ms / 1000),
    calls: diff(before.requests, after.requests),
    throttles: diff(before.throttles, after.throttles),
  };
}

/** Scales a capped phase's figure to the full count. */
const scale = (value: number, done: number, total: number): number => (done === 0 ? 0 : (value * total) / done);

/** Runs the naive audit once and returns its JSON object. */
export async function runNaiveScenario(
  scenario: Scenario,
  emulator: EmulatorProcess,
  limit: number,
): Promise<Record<string, unknown>> {
  const config = emulatorClientConfig({ endpoint: emulator.ready.endpoint });
  // SDK defaults on purpose: retryMode 'standard', maxAttempts 3.
  const organizations = new OrganizationsClient(config);
  const securityHub = new SecurityHubClient(config);
  const failedCalls: Record<string, number> = {};
  const attempt = async <T>(operation: string, send: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await send();
    } catch {
      failedCalls[operation] = (failedCalls[operation] ?? 0) + 1;
      return undefined;
    }
  };

  try {
    const sampler = startHeapSampler();
    const s0 = await emulator.stats();
    const t0 = performance.now();
    const roots = await listAll(async (NextToken) => {
      const page = await attempt('ListRoots', () => organizations.send(new ListRootsCommand({ NextToken })));
      return page && { items: (page.Roots ?? []).map((r) => r.Id!), next: page.NextToken };
    });
    const ous: string[] = [];
    const listOus = async (parentId: string): Promise<void> => {
      const children = await listAll(async (NextToken) => {
        const page = await attempt('ListOrganizationalUnitsForParent', () =>
          organizations.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, NextToken })),
        );
        return page && { items: (page.OrganizationalUnits ?? []).map((ou) => ou.Id!), next: page.NextToken };
      });
      for (const child of children) {
        ous.push(child);
        await listOus(child);
      }
    };
    for (const root of roots) await listOus(root);
    const accounts = await listAll(async (NextToken) => {
      const page = await attempt('ListAccounts', () => organizations.send(new ListAccountsCommand({ NextToken })));
      return page && { items: (page.Accounts ?? []).map((a) => a.Id!), next: page.NextToken };
    });
    const s1 = await emulator.stats();
    const t1 = performance.now();
    log(
      `  [naive-${scenario.name}] tree listed: ${roots.length} roots, ${ous.length} OUs, ${accounts.length} accounts; ListParents for ${Math.min(limit, accounts.length)}`,
    );

    let withoutParent = 0;
    const parentsFor = accounts.slice(0, limit);
    for (const id of parentsFor) {
      const answer = await attempt('ListParents', () => organizations.send(new ListParentsCommand({ ChildId: id })));
      if (!answer?.Parents?.[0]?.Id) withoutParent += 1;
    }
    const s2 = await emulator.stats();
    const t2 = performance.now();

    const targets: ConfigurationPolicyAssociation[] = [
      ...roots.map((id) => ({ Target: { RootId: id } })),
      ...ous.map((id) => ({ Target: { OrganizationalUnitId: id } })),
      ...accounts.map((id) => ({ Target: { AccountId: id } })),
    ];
    const asked = targets.slice(0, limit);
    log(`  [naive-${scenario.name}] batch-get, one target per call, for ${asked.length} of ${targets.length} targets`);
    let withoutAnswer = 0;
    for (const target of asked) {
      const out = await attempt('BatchGetConfigurationPolicyAssociations', () =>
        securityHub.send(
          new BatchGetConfigurationPolicyAssociationsCommand({ ConfigurationPolicyAssociationIdentifiers: [target] }),
        ),
      );
      if ((out?.ConfigurationPolicyAssociations ?? []).length === 0) withoutAnswer += 1;
    }
    const s3 = await emulator.stats();
    const t3 = performance.now();
    const memory = sampler.stop();

    const tree = phase(s0, s1, t1 - t0);
    const parents = phase(s1, s2, t2 - t1);
    const batchGets = phase(s2, s3, t3 - t2);
    const capped = parentsFor.length < accounts.length || asked.length < targets.length;
    const full = {
      parentsSeconds: scale(parents.seconds, parentsFor.length, accounts.length),
      batchGetSeconds: scale(batchGets.seconds, asked.length, targets.length),
      parentsCalls: scale(parents.calls, parentsFor.length, accounts.length),
      batchGetCalls: scale(batchGets.calls, asked.length, targets.length),
      parentsThrottles: scale(parents.throttles, parentsFor.length, accounts.length),
      batchGetThrottles: scale(batchGets.throttles, asked.length, targets.length),
    };
    const wallSeconds = round3((t3 - t0) / 1000);
    const wallExtrapolated = round3(tree.seconds + full.parentsSeconds + full.batchGetSeconds);

    // The audit's floor for the same organization (group size 50, no 5xx term): what any
    // client needs at least, so the two lines compare against the same yardstick.
    const minimum = await emulator.minimum(BENCH_TUNING.batchGroupSize, BENCH_TUNING.redriveMaxAttempts);
    const floor = auditFloor(
      serviceFloor(minimum.organizations.total, 0, BENCH_QUOTAS.organizations),
      serviceFloor(minimum.securityHub.total, 0, BENCH_QUOTAS.securityHub),
    );
    const requests = byService(s3.requests);
    return {
      scenario: `naive-${scenario.name}`,
      accounts: accounts.length,
      ous: ous.length,
      roots: roots.length,
      targets: targets.length,
      capped,
      limit,
      wall_seconds: wallSeconds,
      wall_seconds_extrapolated: wallExtrapolated,
      phases: {
        tree_listing: tree,
        list_parents: { ...parents, accounts: parentsFor.length },
        batch_get: { ...batchGets, targets: asked.length },
      },
      floor_seconds: floor.seconds,
      floor_note: "the audit's floor for this organization without the 5xx term (group size 50)",
      ratio: round3(wallExtrapolated / floor.seconds),
      calls: {
        organizations: { ...requests.organizations, total: sum(requests.organizations) },
        securityhub: { ...requests.securityhub, total: sum(requests.securityhub) },
      },
      calls_extrapolated: {
        organizations: Math.round(tree.calls + full.parentsCalls),
        securityhub: Math.round(full.batchGetCalls),
        organizations_audit_minimum: minimum.organizations.total,
        securityhub_audit_minimum: minimum.securityHub.total,
      },
      throttles: {
        measured: s3.totalThrottles - s0.totalThrottles,
        extrapolated: Math.round(tree.throttles + full.parentsThrottles + full.batchGetThrottles),
      },
      failed_calls_after_sdk_retries: failedCalls,
      accounts_without_parent: withoutParent,
      targets_without_answer: withoutAnswer,
      targets_without_answer_extrapolated: Math.round(scale(withoutAnswer, asked.length, targets.length)),
      peak_rss_mb: memory.peakRssMb,
      heap_used_mb: memory.heapUsedMb,
      quotas: BENCH_QUOTAS,
      node: process.version,
    };
  } finally {
    organizations.destroy();
    securityHub.destroy();
  }
}
