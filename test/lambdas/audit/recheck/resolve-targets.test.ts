import {
  DescribeAccountCommand,
  DescribeOrganizationalUnitCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { emptyRow, type AssociationRow } from '../../../../lambdas/audit/report/rows';
import { KnownTree } from '../../../../lambdas/audit/recheck/known-tree';
import { resolveTargets } from '../../../../lambdas/audit/recheck/resolve-targets';
import type { RecheckPlan } from '../../../../lambdas/audit/recheck/plan-recheck';

const orgMock = mockClient(OrganizationsClient);
const RUN = { runId: 'run-1', auditedAt: '2026-12-05T00:00:00.000Z' };
const row = (id: string, type: AssociationRow['target_type'], parentId: string | null) =>
  emptyRow({ id, type, name: `known ${id}`, parentId, ouPath: '' }, RUN);
const TREE = new KnownTree([
  row('r-ab12', 'ROOT', null),
  row('ou-ab12-11111111', 'ORGANIZATIONAL_UNIT', 'r-ab12'),
  row('111111111111', 'ACCOUNT', 'ou-ab12-11111111'),
]);
const EMPTY: RecheckPlan = { changes: [], lookUp: [], subtrees: [], placed: [], gone: [], deferred: [] };
const notFound = (name: string) => Object.assign(new Error('not found'), { name });

beforeEach(() => orgMock.reset());

function deps() {
  let takes = 0;
  return {
    client: new OrganizationsClient({}),
    take: () => {
      takes += 1;
      return Promise.resolve();
    },
    takes: () => takes,
  };
}

describe('resolveTargets', () => {
  it('places a moved account where ListParents says, with its ancestors from the known tree', async () => {
    orgMock.on(ListParentsCommand, { ChildId: '111111111111' }).resolves({ Parents: [{ Id: 'r-ab12', Type: 'ROOT' }] });
    orgMock.on(DescribeAccountCommand).resolves({ Account: { Id: '111111111111', Name: 'moved', State: 'ACTIVE' } });
    const d = deps();
    const resolved = await resolveTargets(d, { ...EMPTY, lookUp: ['111111111111'] }, TREE);
    expect(resolved.org.targets.map((t) => [t.id, t.parentId, t.ouPath, t.name])).toEqual([
      ['r-ab12', null, 'r-ab12', 'known r-ab12'],
      ['111111111111', 'r-ab12', 'r-ab12', 'moved'],
    ]);
    expect(resolved.org.rootIds).toEqual(['r-ab12']);
    // Every call waited for the re-check's token.
    expect(d.takes()).toBe(orgMock.calls().length);
  });

  it('confirms a departure only when Organizations no longer knows the target', async () => {
    orgMock.on(ListParentsCommand, { ChildId: '111111111111' }).rejects(notFound('ChildNotFoundException'));
    orgMock.on(ListParentsCommand, { ChildId: '222222222222' }).resolves({ Parents: [{ Id: 'r-ab12', Type: 'ROOT' }] });
    orgMock.on(DescribeAccountCommand).resolves({ Account: { Id: '222222222222', Name: 'back', State: 'ACTIVE' } });
    const resolved = await resolveTargets(deps(), { ...EMPTY, gone: ['111111111111', '222222222222'] }, TREE);
    expect(resolved.gone).toEqual(['111111111111']);
    expect(resolved.reported).toContain('222222222222');
  });

  it('lists a subtree live, leaving out ids that are not ids', async () => {
    orgMock
      .on(ListParentsCommand, { ChildId: 'ou-ab12-22222222' })
      .resolves({ Parents: [{ Id: 'r-ab12', Type: 'ROOT' }] });
    orgMock
      .on(DescribeOrganizationalUnitCommand)
      .resolves({ OrganizationalUnit: { Id: 'ou-ab12-22222222', Name: 'new' } });
    orgMock.on(ListOrganizationalUnitsForParentCommand).resolves({ OrganizationalUnits: [] });
    orgMock.on(ListAccountsForParentCommand).resolves({
      Accounts: [
        { Id: '333333333333', Name: 'a', State: 'ACTIVE' },
        { Id: '../../etc', Name: 'bad', State: 'ACTIVE' },
      ],
    });
    const resolved = await resolveTargets(deps(), { ...EMPTY, subtrees: ['ou-ab12-22222222'] }, TREE);
    expect(resolved.org.targets.map((t) => t.id)).toEqual(['r-ab12', 'ou-ab12-22222222', '333333333333']);
    expect(resolved.org.targets[2].ouPath).toBe('r-ab12/ou-ab12-22222222');
    expect(resolved.invalid).toBe(1);
  });

  it('fails with the operation named when a look-up fails for another reason', async () => {
    orgMock.on(ListParentsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(resolveTargets(deps(), { ...EMPTY, lookUp: ['111111111111'] }, TREE)).rejects.toMatchObject({
      name: 'OrganizationsLookupError',
      kind: 'PERMISSION',
    });
  });
});
