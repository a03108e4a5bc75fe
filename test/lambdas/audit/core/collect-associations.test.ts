import {
  ListAccountsForParentCommand,
  type ListAccountsForParentCommandInput,
  ListOrganizationalUnitsForParentCommand,
  type ListOrganizationalUnitsForParentCommandInput,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  AccessDeniedException,
  BatchGetConfigurationPolicyAssociationsCommand,
  type BatchGetConfigurationPolicyAssociationsCommandInput,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { type AuditTuning } from '../../../../lambdas/audit/config';
import { collectAssociations } from '../../../../lambdas/audit/core/collect-associations';
import { fakeTime } from '../../../support/fake-time';
import type { AuditProgress } from '../../../../lambdas/audit/types/audit';
import { OrganizationWalkError, SecurityHubFetchError } from '../../../../lambdas/audit/errors';
import { DEFAULT_TUNING } from '../../../support/default-tuning';

const orgMock = mockClient(OrganizationsClient);
const shMock = mockClient(SecurityHubClient);

const ROOT = 'r-ab12';
const OUS = Array.from({ length: 10 }, (_, i) => `ou-ab12-${String(i).padStart(8, '0')}`);
/** Twenty accounts in each OU: one page each. */
const accountsOf = (ou: number) => Array.from({ length: 20 }, (_, i) => String(100000000000 + ou * 100 + i));
const ALL_IDS = [ROOT, ...OUS, ...OUS.flatMap((_, i) => accountsOf(i))];

/** Production tuning, with walk and fan-out paced slowly enough on the fake clock to see them overlap. */
const TUNING: AuditTuning = {
  ...DEFAULT_TUNING,
  batchGroupSize: 7,
  organizationsRequestsPerSecond: 2,
  organizationsBurst: 1,
};

/** What happened, in order: `walk`/`fetch` calls with the fake clock's time. */
interface Event {
  readonly kind: 'walk' | 'fetch';
  readonly at: number;
  readonly size?: number;
}

function serve(time: ReturnType<typeof fakeTime>, events: Event[]): void {
  orgMock.on(ListRootsCommand).callsFake(() => {
    events.push({ kind: 'walk', at: time.now });
    return { Roots: [{ Id: ROOT, Name: 'Root' }] };
  });
  orgMock
    .on(ListOrganizationalUnitsForParentCommand)
    .callsFake((input: ListOrganizationalUnitsForParentCommandInput) => {
      events.push({ kind: 'walk', at: time.now });
      return { OrganizationalUnits: input.ParentId === ROOT ? OUS.map((Id) => ({ Id, Name: Id })) : [] };
    });
  orgMock.on(ListAccountsForParentCommand).callsFake((input: ListAccountsForParentCommandInput) => {
    events.push({ kind: 'walk', at: time.now });
    const ou = OUS.indexOf(input.ParentId!);
    return { Accounts: ou < 0 ? [] : accountsOf(ou).map((Id) => ({ Id, Name: Id, Status: 'ACTIVE' })) };
  });
  shMock
    .on(BatchGetConfigurationPolicyAssociationsCommand)
    .callsFake((input: BatchGetConfigurationPolicyAssociationsCommandInput) => {
      const identifiers = input.ConfigurationPolicyAssociationIdentifiers ?? [];
      events.push({ kind: 'fetch', at: time.now, size: identifiers.length });
      return {
        ConfigurationPolicyAssociations: identifiers.map(({ Target }) => {
          const id = (Target?.AccountId ?? Target?.OrganizationalUnitId ?? Target?.RootId)!;
          return {
            TargetId: id,
            ConfigurationPolicyId: 'SELF_MANAGED_SECURITY_HUB',
            AssociationType: 'APPLIED',
            AssociationStatus: 'SUCCESS',
          };
        }),
      };
    });
}

function deps(time: ReturnType<typeof fakeTime>, onProgress?: (p: AuditProgress) => void) {
  return {
    organizations: new OrganizationsClient({}),
    securityHub: new SecurityHubClient({}),
    clock: time.clock,
    sleep: time.sleep,
    random: () => 0,
    onProgress,
  };
}

beforeEach(() => {
  orgMock.reset();
  shMock.reset();
});

describe('collectAssociations', () => {
  it('starts reading associations while the walk is still listing, in full groups', async () => {
    const time = fakeTime();
    const events: Event[] = [];
    serve(time, events);
    const { org, fetched } = await collectAssociations(deps(time), { tuning: TUNING, deadline: time.now + 600_000 });

    expect(org.targets.map((t) => t.id).sort()).toEqual([...ALL_IDS].sort());
    expect([...fetched.associations.keys()].sort()).toEqual([...ALL_IDS].sort());
    const walks = events.filter((e) => e.kind === 'walk');
    const fetches = events.filter((e) => e.kind === 'fetch');
    // Overlap: the first batch-get comes before the last Organizations page, in order and in time.
    expect(events.indexOf(fetches[0])).toBeLessThan(events.indexOf(walks.at(-1)!));
    expect(fetches[0].at).toBeLessThan(walks.at(-1)!.at);
    // More than half of the groups were sent before the walk ended.
    expect(fetches.filter((f) => f.at < walks.at(-1)!.at).length).toBeGreaterThan(fetches.length / 2);
    // No extra calls: every group full but the last, ceil(211 / 7) calls.
    expect(fetches.map((f) => f.size)).toEqual([...Array<number>(30).fill(7), 1]);
    expect(fetched.stats.apiCalls).toBe(31);
  });

  it('shows walk progress while walking and fetch progress after, without dropping either', async () => {
    const time = fakeTime();
    serve(time, []);
    const progress: AuditProgress[] = [];
    await collectAssociations(
      deps(time, (p) => progress.push(p)),
      { tuning: TUNING, deadline: time.now + 600_000 },
    );
    const phases = progress.map((p) => p.phase);
    expect(phases.indexOf('fetch')).toBeGreaterThan(phases.lastIndexOf('walk'));
    expect(progress.filter((p) => p.phase === 'walk').at(-1)).toEqual({ phase: 'walk', targetsFound: 211 });
    expect(progress.at(-1)).toEqual({ phase: 'fetch', done: 211, total: 211 });
    // The fetch phase is announced the moment the walk ends, with the reads already done.
    const first = progress[phases.indexOf('fetch')];
    expect(first).toMatchObject({ phase: 'fetch', total: 211 });
    expect((first as { done: number }).done).toBeGreaterThan(0);
  });

  it('stops the walk when Security Hub refuses the API', async () => {
    const time = fakeTime();
    serve(time, []);
    shMock
      .on(BatchGetConfigurationPolicyAssociationsCommand)
      .rejects(new AccessDeniedException({ message: 'no', $metadata: {} }));
    const error = await collectAssociations(deps(time), { tuning: TUNING, deadline: time.now + 600_000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SecurityHubFetchError);
    // A full walk is 1 + 2 + 10 pages; it stopped well before.
    expect(orgMock.calls().length).toBeLessThan(13);
  });

  it('fails with the walk error, after the calls in flight settled', async () => {
    const time = fakeTime();
    serve(time, []);
    orgMock.on(ListAccountsForParentCommand, { ParentId: OUS[9] }).rejects(new Error('boom'));
    let inFlight = 0;
    shMock.on(BatchGetConfigurationPolicyAssociationsCommand).callsFake(async () => {
      inFlight += 1;
      await new Promise<void>((resolve) => setImmediate(resolve));
      inFlight -= 1;
      return {};
    });
    await expect(
      collectAssociations(deps(time), { tuning: TUNING, deadline: time.now + 600_000 }),
    ).rejects.toBeInstanceOf(OrganizationWalkError);
    expect(inFlight).toBe(0);
  });
});
