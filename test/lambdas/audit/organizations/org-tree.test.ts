import {
  buildOrgTree,
  type RawAccount,
  type RawOrganizationalUnit,
} from '../../../../lambdas/audit/organizations/org-tree';
import { OrgTreeError } from '../../../../lambdas/audit/errors';

const ou = (id: string, name = `name-${id}`): RawOrganizationalUnit => ({ id, name });
const acct = (id: string, status: RawAccount['status'] = 'ACTIVE'): RawAccount => ({ id, name: `acct-${id}`, status });

describe('buildOrgTree', () => {
  it('builds parents, paths and walk order for a nested organization', () => {
    const snapshot = buildOrgTree({
      roots: [{ id: 'r-1', name: 'Root' }],
      ousByParent: new Map([
        ['r-1', [ou('ou-a'), ou('ou-b')]],
        ['ou-a', [ou('ou-a1')]],
        ['ou-a1', []],
        ['ou-b', []],
      ]),
      accountsByParent: new Map([
        ['r-1', [acct('111111111111')]],
        ['ou-a', [acct('222222222222', 'SUSPENDED')]],
        ['ou-a1', [acct('333333333333', 'PENDING_CLOSURE')]],
        ['ou-b', []],
      ]),
    });

    expect(snapshot.rootIds).toEqual(['r-1']);
    expect(snapshot.targets).toEqual([
      { id: 'r-1', type: 'ROOT', name: 'Root', parentId: null, ouPath: 'r-1', accountStatus: null },
      {
        id: '111111111111',
        type: 'ACCOUNT',
        name: 'acct-111111111111',
        parentId: 'r-1',
        ouPath: 'r-1',
        accountStatus: 'ACTIVE',
      },
      {
        id: 'ou-a',
        type: 'ORGANIZATIONAL_UNIT',
        name: 'name-ou-a',
        parentId: 'r-1',
        ouPath: 'r-1/ou-a',
        accountStatus: null,
      },
      {
        id: '222222222222',
        type: 'ACCOUNT',
        name: 'acct-222222222222',
        parentId: 'ou-a',
        ouPath: 'r-1/ou-a',
        accountStatus: 'SUSPENDED',
      },
      {
        id: 'ou-a1',
        type: 'ORGANIZATIONAL_UNIT',
        name: 'name-ou-a1',
        parentId: 'ou-a',
        ouPath: 'r-1/ou-a/ou-a1',
        accountStatus: null,
      },
      {
        id: '333333333333',
        type: 'ACCOUNT',
        name: 'acct-333333333333',
        parentId: 'ou-a1',
        ouPath: 'r-1/ou-a/ou-a1',
        accountStatus: 'PENDING_CLOSURE',
      },
      {
        id: 'ou-b',
        type: 'ORGANIZATIONAL_UNIT',
        name: 'name-ou-b',
        parentId: 'r-1',
        ouPath: 'r-1/ou-b',
        accountStatus: null,
      },
    ]);
  });

  it('always lists a parent before its children, for five OU levels', () => {
    const levels = ['ou-1', 'ou-2', 'ou-3', 'ou-4', 'ou-5'];
    const ousByParent = new Map<string, RawOrganizationalUnit[]>();
    const accountsByParent = new Map<string, RawAccount[]>();
    let parent = 'r-1';
    levels.forEach((id, i) => {
      ousByParent.set(parent, [ou(id)]);
      accountsByParent.set(id, [acct(String(100000000000 + i))]);
      parent = id;
    });
    const { targets } = buildOrgTree({ roots: [{ id: 'r-1', name: 'Root' }], ousByParent, accountsByParent });

    const position = new Map(targets.map((t, i) => [t.id, i]));
    for (const target of targets) {
      if (target.parentId !== null) expect(position.get(target.parentId)!).toBeLessThan(position.get(target.id)!);
    }
    expect(targets.find((t) => t.id === 'ou-5')!.ouPath).toBe('r-1/ou-1/ou-2/ou-3/ou-4/ou-5');
    expect(targets.find((t) => t.id === '100000000004')!.ouPath).toBe('r-1/ou-1/ou-2/ou-3/ou-4/ou-5');
    expect(targets).toHaveLength(11);
  });

  it('keeps only id, type, name, parent, path and status - never an e-mail address', () => {
    const withEmail = { id: '444444444444', name: 'x', status: 'ACTIVE', email: 'someone@example.com' } as RawAccount;
    const { targets } = buildOrgTree({
      roots: [{ id: 'r-1' }],
      ousByParent: new Map(),
      accountsByParent: new Map([['r-1', [withEmail]]]),
    });
    expect(JSON.stringify(targets)).not.toContain('@');
    expect(Object.keys(targets[1]).sort()).toEqual(['accountStatus', 'id', 'name', 'ouPath', 'parentId', 'type']);
  });

  it('uses an empty name when the API gave none, and handles several roots in listed order', () => {
    const { rootIds, targets } = buildOrgTree({
      roots: [{ id: 'r-2' }, { id: 'r-1' }],
      ousByParent: new Map([['r-1', [{ id: 'ou-x' }]]]),
      accountsByParent: new Map(),
    });
    expect(rootIds).toEqual(['r-2', 'r-1']);
    expect(targets.map((t) => t.id)).toEqual(['r-2', 'r-1', 'ou-x']);
    expect(targets[0].name).toBe('');
  });

  it('returns an empty snapshot for no roots', () => {
    expect(buildOrgTree({ roots: [], ousByParent: new Map(), accountsByParent: new Map() })).toEqual({
      rootIds: [],
      targets: [],
      rejected: [],
    });
  });

  function problemOf(fn: () => unknown): OrgTreeError {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(OrgTreeError);
      return error as OrgTreeError;
    }
    throw new Error('expected an OrgTreeError');
  }

  it('rejects an account listed under two parents', () => {
    const error = problemOf(() =>
      buildOrgTree({
        roots: [{ id: 'r-1' }],
        ousByParent: new Map([['r-1', [ou('ou-a')]]]),
        accountsByParent: new Map([
          ['r-1', [acct('555555555555')]],
          ['ou-a', [acct('555555555555')]],
        ]),
      }),
    );
    expect(error.problem).toBe('DUPLICATE_ID');
    expect(error.targetId).toBe('555555555555');
    expect(error.name).toBe('OrgTreeError');
  });

  it('rejects an OU listed twice and a duplicated root', () => {
    expect(
      problemOf(() =>
        buildOrgTree({
          roots: [{ id: 'r-1' }],
          ousByParent: new Map([
            ['r-1', [ou('ou-a'), ou('ou-b')]],
            ['ou-b', [ou('ou-a')]],
          ]),
          accountsByParent: new Map(),
        }),
      ).problem,
    ).toBe('DUPLICATE_ID');
    expect(
      problemOf(() =>
        buildOrgTree({ roots: [{ id: 'r-1' }, { id: 'r-1' }], ousByParent: new Map(), accountsByParent: new Map() }),
      ).problem,
    ).toBe('DUPLICATE_ID');
  });

  it('rejects a cycle', () => {
    const error = problemOf(() =>
      buildOrgTree({
        roots: [{ id: 'r-1' }],
        ousByParent: new Map([
          ['r-1', [ou('ou-a')]],
          ['ou-a', [ou('ou-b')]],
          ['ou-b', [ou('ou-a')]],
        ]),
        accountsByParent: new Map(),
      }),
    );
    expect(error.problem).toBe('CYCLE');
    expect(error.targetId).toBe('ou-a');
  });

  it('rejects an OU that contains itself, or its root', () => {
    expect(
      problemOf(() =>
        buildOrgTree({
          roots: [{ id: 'r-1' }],
          ousByParent: new Map([['r-1', [ou('r-1')]]]),
          accountsByParent: new Map(),
        }),
      ).problem,
    ).toBe('CYCLE');
  });

  it('rejects listings for a parent no root reaches (e.g. a detached cycle)', () => {
    const error = problemOf(() =>
      buildOrgTree({
        roots: [{ id: 'r-1' }],
        ousByParent: new Map([
          ['ou-x', [ou('ou-y')]],
          ['ou-y', [ou('ou-x')]],
        ]),
        accountsByParent: new Map(),
      }),
    );
    expect(error.problem).toBe('UNREACHABLE_PARENT');
  });
});
