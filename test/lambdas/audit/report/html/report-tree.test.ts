import { buildReportTree, type ReportTreeNode } from '../../../../../lambdas/audit/report/html/report-tree';
import { row, sampleRows, sampleSummary } from '../row-fixtures';

const idsOf = (node: ReportTreeNode): string[] => [
  node.row.target_id,
  ...node.accounts.map((a) => a.target_id),
  ...node.children.flatMap(idsOf),
];

describe('buildReportTree', () => {
  it('places every row exactly once, and the root counts equal the run summary', () => {
    const { rows } = sampleRows();
    const summary = sampleSummary(rows);
    const tree = buildReportTree(rows);
    const placed = [...tree.roots.flatMap(idsOf), ...tree.unplaced.map((r) => r.target_id)];
    expect(placed.sort()).toEqual(rows.map((r) => r.target_id).sort());
    expect(tree.unplaced).toEqual([]);
    expect(tree.roots[0].counts).toEqual({
      targets: summary.targets_reported,
      drifted: summary.drifted,
      excluded: summary.excluded,
      failed: summary.status_failed,
    });
  });

  it("sums each OU's subtree", () => {
    const rows = [
      row({ target_id: 'r-ab12', target_type: 'ROOT', parent_id: null }),
      row({ target_id: 'ou-ab12-11111111', target_type: 'ORGANIZATIONAL_UNIT', parent_id: 'r-ab12' }),
      row({ target_id: 'ou-ab12-22222222', target_type: 'ORGANIZATIONAL_UNIT', parent_id: 'ou-ab12-11111111' }),
      row({ target_id: '111111111111', parent_id: 'ou-ab12-22222222', drift: true, association_status: 'FAILED' }),
      row({ target_id: '222222222222', parent_id: 'ou-ab12-11111111', audit_result: 'EXCLUDED' }),
      row({ target_id: '333333333333', parent_id: 'r-ab12' }),
    ];
    const [root] = buildReportTree(rows).roots;
    const outer = root.children[0];
    expect(root.counts).toEqual({ targets: 6, drifted: 1, excluded: 1, failed: 1 });
    expect(outer.counts).toEqual({ targets: 4, drifted: 1, excluded: 1, failed: 1 });
    expect(outer.children[0].counts).toEqual({ targets: 2, drifted: 1, excluded: 0, failed: 1 });
    expect(root.accounts.map((a) => a.target_id)).toEqual(['333333333333']);
  });

  it('lists targets whose parent is missing, or that form a cycle, as unplaced instead of losing them', () => {
    const rows = [
      row({ target_id: 'r-ab12', target_type: 'ROOT', parent_id: null }),
      row({ target_id: '111111111111', parent_id: 'ou-ab12-99999999' }),
      row({ target_id: 'ou-ab12-11111111', target_type: 'ORGANIZATIONAL_UNIT', parent_id: 'ou-ab12-22222222' }),
      row({ target_id: 'ou-ab12-22222222', target_type: 'ORGANIZATIONAL_UNIT', parent_id: 'ou-ab12-11111111' }),
    ];
    const tree = buildReportTree(rows);
    expect(tree.roots.map((r) => r.row.target_id)).toEqual(['r-ab12']);
    expect(tree.unplaced.map((r) => r.target_id).sort()).toEqual(
      ['111111111111', 'ou-ab12-11111111', 'ou-ab12-22222222'].sort(),
    );
  });
});
