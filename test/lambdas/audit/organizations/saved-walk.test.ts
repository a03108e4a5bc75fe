import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { walkedTargets, type SavedWalk } from '../../../../lambdas/audit/organizations/saved-walk';
import { OrganizationWalk } from '../../../../lambdas/audit/organizations/walk-organization';
import { SavedWalkError } from '../../../../lambdas/audit/errors';
import { NOTHING_WALKED } from '../../../support/nothing-walked';

describe('walkedTargets', () => {
  it('lists roots, then each listed container’s OUs then accounts', () => {
    expect(walkedTargets(NOTHING_WALKED)).toEqual([]);
    expect(
      walkedTargets({
        rootsListed: true,
        roots: [{ id: 'r-one1' }],
        listed: [
          { parentId: 'r-one1', ous: [{ id: 'ou-one1-0000000a' }], accounts: [{ id: '111111111111', status: null }] },
          { parentId: 'ou-one1-0000000a', ous: [], accounts: [{ id: '222222222222', status: 'ACTIVE' }] },
        ],
        rejected: [],
        frontier: [],
      }),
    ).toEqual([
      { id: 'r-one1', type: 'ROOT' },
      { id: 'ou-one1-0000000a', type: 'ORGANIZATIONAL_UNIT' },
      { id: '111111111111', type: 'ACCOUNT' },
      { id: '222222222222', type: 'ACCOUNT' },
    ]);
  });
});

describe('OrganizationWalk: inconsistent saved walks', () => {
  const OU_A = 'ou-one1-0000000a';
  const OU_B = 'ou-one1-0000000b';
  /** Root listed (two OUs found), OU a listed, OU b still to list. */
  const valid: SavedWalk = {
    rootsListed: true,
    roots: [{ id: 'r-one1', name: 'Root' }],
    listed: [
      { parentId: 'r-one1', ous: [{ id: OU_A }, { id: OU_B }], accounts: [] },
      { parentId: OU_A, ous: [], accounts: [{ id: '111111111111', status: 'ACTIVE' }] },
    ],
    rejected: [],
    frontier: [{ parentId: OU_B, depth: 1 }],
  };
  const rootListing = valid.listed[0];

  it('accepts the consistent one', () => {
    expect(new OrganizationWalk(new OrganizationsClient({}), {}, valid).snapshot()).toEqual(valid);
  });

  it.each<[string, SavedWalk, RegExp]>([
    ['roots not listed, yet roots saved', { ...NOTHING_WALKED, roots: [{ id: 'r-one1' }] }, /ListRoots did not/],
    [
      'roots not listed, yet a frontier',
      { ...NOTHING_WALKED, frontier: [{ parentId: 'r-one1', depth: 0 }] },
      /ListRoots/,
    ],
    [
      'a frontier entry nobody found',
      { ...valid, frontier: [...valid.frontier, { parentId: 'ou-one1-0000000z', depth: 1 }] },
      /neither a root nor an OU/,
    ],
    ['a depth above the deepest level', { ...valid, frontier: [{ parentId: OU_B, depth: 6 }] }, /outside 0\.\.5/],
    ['a negative depth', { ...valid, frontier: [{ parentId: OU_B, depth: -1 }] }, /outside 0\.\.5/],
    ['a fractional depth', { ...valid, frontier: [{ parentId: OU_B, depth: 0.5 }] }, /outside 0\.\.5/],
    ['a depth other than found', { ...valid, frontier: [{ parentId: OU_B, depth: 2 }] }, /found at depth 1/],
    ['a container listed twice', { ...valid, listed: [...valid.listed, valid.listed[1]] }, /listed twice/],
    [
      'a listing of a container nobody found',
      { ...valid, listed: [...valid.listed, { parentId: 'ou-one1-0000000z', ous: [], accounts: [] }] },
      /neither a root nor an earlier listing/,
    ],
    [
      'a listing before its container was found',
      { ...valid, listed: [valid.listed[1], rootListing] },
      /neither a root nor an earlier listing/,
    ],
    [
      'a listed container still on the frontier',
      { ...valid, frontier: [...valid.frontier, { parentId: OU_A, depth: 1 }] },
      /already listed/,
    ],
    ['an entry twice on the frontier', { ...valid, frontier: [...valid.frontier, ...valid.frontier] }, /twice/],
    [
      'a found container neither listed nor on the frontier',
      { ...valid, frontier: [] },
      /neither listed nor on the frontier/,
    ],
    [
      'a root never listed nor on the frontier',
      { ...valid, roots: [...valid.roots, { id: 'r-two2' }] },
      /"r-two2" was found/,
    ],
  ])('refuses %s with SavedWalkError', (_name, saved, message) => {
    const build = () => new OrganizationWalk(new OrganizationsClient({}), {}, saved);
    expect(build).toThrow(SavedWalkError);
    expect(build).toThrow(message);
    let error: unknown;
    try {
      build();
    } catch (e) {
      error = e;
    }
    expect((error as SavedWalkError).kind).toBe('INTEGRITY');
  });
});
