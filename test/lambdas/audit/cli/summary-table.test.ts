import { formatSummary, incompleteReasons } from '../../../../lambdas/audit/cli/summary-table';
import { DRIFT_REASONS } from '../../../../lambdas/audit/model';
import type { AssociationRow } from '../../../../lambdas/audit/report/rows';
import { row, summaryWith } from '../report/row-fixtures';
import { isDisplaySafe } from '../../../support/is-display-safe';

const LOCATION = '/tmp/reports/associations/dt=2026-11-26/20261126T020000Z.jsonl.gz';
const cells = (line: string) => line.trim().split(/\s{2,}/);

/** The value row under a header row, as header -> value. */
function tableAfter(lines: string[], firstHeader: string): Record<string, string> {
  const at = lines.findIndex((l) => l.startsWith(firstHeader));
  expect(at).toBeGreaterThanOrEqual(0);
  const header = cells(lines[at]);
  const values = cells(lines[at + 1]);
  expect(values).toHaveLength(header.length);
  return Object.fromEntries(header.map((h, i) => [h, values[i]]));
}

const drifted = (id: string, reasons: AssociationRow['drift_reasons'], extra: Partial<AssociationRow> = {}) =>
  row({ target_id: id, drift: true, drift_reasons: reasons, audit_result: 'DRIFT', ...extra });

/** Flagged rows in the listed order: the Target column of the last table. */
function listedTargets(text: string): string[] {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.startsWith('Severity'));
  if (at < 0) return [];
  const out: string[] = [];
  for (const line of lines.slice(at + 1)) {
    if (line.trim() === '' || line.startsWith('…')) break;
    out.push(/\b(\d{12}|ou-[a-z0-9-]+|r-[a-z0-9]+)\b/.exec(line)![1]);
  }
  return out;
}

// Distinct numbers so a column fed from the wrong field shows.
const summary = summaryWith({
  run_id: '20261126T020000Z',
  run_status: 'COMPLETE',
  trigger: 'SCHEDULED',
  duration_seconds: 12.34,
  targets_enumerated: 101,
  roots: 1,
  organizational_units: 20,
  accounts: 80,
  suspended_accounts: 3,
  targets_reported: 101,
  status_success: 90,
  status_pending: 4,
  status_failed: 5,
  status_unknown: 2,
  drifted: 11,
  excluded: 6,
  new_drift: 7,
  resolved_drift: 8,
  changed: 9,
  drift_failed: 21,
  drift_pending_stale: 22,
  drift_unprocessed: 23,
  drift_missing: 24,
  drift_inheritance_mismatch: 25,
  drift_baseline_mismatch: 26,
  organizations_api_calls: 31,
  securityhub_api_calls: 32,
  throttled_requests: 33,
  redrive_attempts: 34,
  deadline_reached: false,
  departed_targets: [],
  previous_run_id: null,
});

describe('formatSummary', () => {
  it('heads with the run and shows the totals and statuses under their headers', () => {
    const lines = formatSummary(summary, [], { listLimit: 20, location: LOCATION }).split('\n');
    expect(lines[0]).toBe('Run 20261126T020000Z  COMPLETE  (scheduled, 12.3 s)');
    expect(tableAfter(lines, 'Targets')).toEqual({
      Targets: '101',
      Roots: '1',
      OUs: '20',
      Accounts: '80',
      Suspended: '3',
      Reported: '101',
      Rejected: '0',
    });
    expect(tableAfter(lines, 'SUCCESS')).toEqual({
      SUCCESS: '90',
      PENDING: '4',
      FAILED: '5',
      UNKNOWN: '2',
      Drifted: '11',
      Excluded: '6',
      'New drift': '7',
      Resolved: '8',
      Changed: '9',
    });
    expect(lines).toContain('API calls: Organizations 31, Security Hub 32; throttled 33; re-drive rounds 34');
    expect(lines.at(-1)).toBe(`Report: ${LOCATION}`);
  });

  it('lists every drift reason, in the model order, with its count', () => {
    const lines = formatSummary(summary, [], { listLimit: 20, location: LOCATION }).split('\n');
    const at = lines.findIndex((l) => l.startsWith('Drift reason'));
    const reasonRows = lines.slice(at + 1, at + 1 + DRIFT_REASONS.length).map(cells);
    expect(reasonRows).toEqual([
      ['FAILED', '21'],
      ['PENDING_STALE', '22'],
      ['UNPROCESSED', '23'],
      ['MISSING', '24'],
      ['INHERITANCE_MISMATCH', '25'],
      ['BASELINE_MISMATCH', '26'],
    ]);
  });

  it('flags a deadline, and names departed targets with the run they were last seen in', () => {
    const text = formatSummary(
      {
        ...summary,
        deadline_reached: true,
        departed_targets: ['333333333333', 'ou-ab12-99999999'],
        previous_run_id: '20261125T020000Z',
      },
      [],
      { listLimit: 20, location: LOCATION },
    );
    expect(text).toContain('re-drive rounds 34; DEADLINE REACHED');
    expect(text).toContain('Left the organization since 20261125T020000Z: 333333333333, ou-ab12-99999999');
    expect(formatSummary(summary, [], { listLimit: 20, location: LOCATION })).not.toMatch(
      /DEADLINE|Left the organization/,
    );
  });

  it('lists drift first by severity (then reason), then exclusions, then expired exclusions; OK rows are left out', () => {
    const rows = [
      row({ target_id: '100000000001' }), // OK: not listed
      row({
        target_id: '100000000002',
        exclusion_expired: true,
        excluded_reason: 'Old',
        exclusion_expires: '2026-01-31',
      }),
      row({ target_id: '100000000003', drift_reasons: ['FAILED'], audit_result: 'EXCLUDED' }),
      drifted('100000000004', ['BASELINE_MISMATCH']),
      drifted('100000000005', ['MISSING']),
      drifted('100000000006', ['PENDING_STALE', 'BASELINE_MISMATCH']),
      drifted('100000000007', ['FAILED', 'BASELINE_MISMATCH']),
      drifted('100000000008', ['UNPROCESSED']),
      drifted('100000000009', ['INHERITANCE_MISMATCH']),
    ];
    const text = formatSummary(summary, rows, { listLimit: 20, location: LOCATION });
    expect(listedTargets(text)).toEqual([
      '100000000007', // HIGH: FAILED
      '100000000006', // MEDIUM, in reason order: PENDING_STALE, INHERITANCE_MISMATCH, BASELINE_MISMATCH
      '100000000009',
      '100000000004',
      '100000000008', // LOW: UNPROCESSED, MISSING
      '100000000005',
      '100000000003', // excluded
      '100000000002', // expired exclusion without drift
    ]);
    expect(text).not.toContain('100000000001');
    expect(text).not.toContain('more in the report');
  });

  it('shows reasons, policy, status and OU path of a listed row, and marks an expired exclusion', () => {
    const rows = [
      drifted('100000000004', ['FAILED', 'BASELINE_MISMATCH'], {
        configuration_policy_id: '22222222-2222-4222-8222-222222222222',
        association_status: 'FAILED',
        ou_path: 'r-ab12/ou-ab12-11111111',
        ou_path_names: 'Root / Production',
        configuration_policy_name: 'Prod baseline',
        severity: 'HIGH',
        exclusion_expired: true,
      }),
      drifted('100000000005', ['UNPROCESSED']),
    ];
    const lines = formatSummary(summary, rows, { listLimit: 20, location: LOCATION }).split('\n');
    const header = lines.findIndex((l) => l.startsWith('Severity'));
    expect(cells(lines[header])).toEqual(['Severity', 'Result', 'Target', 'Reasons', 'Policy', 'Status', 'OU path']);
    expect(cells(lines[header + 1])).toEqual([
      'HIGH',
      'DRIFT (exclusion expired)',
      'name-100000000004 (100000000004)',
      'FAILED,BASELINE_MISMATCH',
      'Prod baseline (22222222-2222-4222-8222-222222222222)',
      'FAILED',
      'Root / Production',
    ]);
    expect(cells(lines[header + 2])).toEqual([
      '-',
      'DRIFT',
      'name-100000000005 (100000000005)',
      'UNPROCESSED',
      '-',
      '-',
      'Root',
    ]);
  });

  it('lists at most listLimit rows, most severe first, and counts the rest', () => {
    const rows = [
      drifted('100000000001', ['MISSING']),
      drifted('100000000002', ['BASELINE_MISMATCH']),
      drifted('100000000003', ['FAILED']),
    ];
    const text = formatSummary(summary, rows, { listLimit: 2, location: LOCATION });
    expect(listedTargets(text)).toEqual(['100000000003', '100000000002']);
    expect(text.split('\n')).toContain('… 1 more in the report');
  });

  it('lists nothing with listLimit 0', () => {
    const text = formatSummary(summary, [drifted('100000000001', ['FAILED'])], { listLimit: 0, location: LOCATION });
    expect(text).not.toContain('100000000001');
    expect(text).not.toMatch(/^Result/m);
  });
});

describe('formatSummary on hostile values', () => {
  // What a forged policy id or OU path could carry: clear screen, cursor home, a fake line, a bidi override.
  const HOSTILE = '\u001b[2J\u001b[H\r\nRun 20261126T020000Z  COMPLETE\u009b\u0007\u202e';

  it('shows every value from outside as visible escapes, never as raw control characters', () => {
    const rows = [
      drifted('100000000004', ['FAILED'], {
        configuration_policy_id: HOSTILE,
        association_status: 'FAILED',
        ou_path: `r-ab12/${HOSTILE}`,
      }),
    ];
    const text = formatSummary({ ...summary, departed_targets: [HOSTILE], previous_run_id: HOSTILE }, rows, {
      listLimit: 20,
      location: `/tmp/${HOSTILE}`,
    });
    expect(isDisplaySafe(text.replace(/\n/g, ''))).toBe(true);
    expect(text).toContain('\\x1b[2J\\x1b[H\\x0d\\x0aRun 20261126T020000Z  COMPLETE\\x9b\\x07\\u202e');
    // The forged line never starts a line of its own.
    expect(text.split('\n').filter((l) => l.startsWith('Run '))).toHaveLength(1);
  });

  it('cuts long values and names at most 20 departed targets', () => {
    const departed = Array.from({ length: 25 }, (_, i) => String(200000000000 + i));
    const rows = [drifted('100000000004', ['FAILED'], { configuration_policy_id: 'p'.repeat(5000) })];
    const text = formatSummary({ ...summary, departed_targets: departed, previous_run_id: 'x' }, rows, {
      listLimit: 20,
      location: LOCATION,
    });
    expect(text).not.toContain('p'.repeat(81));
    expect(text).toContain(`${'p'.repeat(80)}…`);
    expect(text).toContain('200000000019 and 5 more');
    expect(text).not.toContain('200000000024');
  });
});

describe('incomplete runs in the table', () => {
  it('says why a run is INCOMPLETE: unknown statuses, rejected entries, the deadline', () => {
    const incomplete = {
      ...summary,
      run_status: 'INCOMPLETE' as const,
      status_unknown: 47,
      targets_rejected: 3,
      deadline_reached: true,
    };
    const lines = formatSummary(incomplete, [], { listLimit: 20, location: LOCATION }).split('\n');
    expect(lines[0]).toBe('Run 20261126T020000Z  INCOMPLETE  (scheduled, 12.3 s)');
    expect(lines).toContain(
      'INCOMPLETE: 47 target(s) without a definite association status (unprocessed 23, missing from the answers 24)',
    );
    expect(lines).toContain(
      "INCOMPLETE: 3 listed entries rejected for an invalid id (an OU's subtree is then not walked)",
    );
    expect(lines).toContain('INCOMPLETE: the deadline was reached while re-driving');
    expect(tableAfter(lines, 'Targets').Rejected).toBe('3');
  });

  it('never leaves an INCOMPLETE run without a stated reason, and a COMPLETE run without any', () => {
    expect(incompleteReasons(summary)).toEqual([]);
    const bare = { ...summary, run_status: 'INCOMPLETE' as const, status_unknown: 0, targets_rejected: 0 };
    expect(incompleteReasons(bare)).toHaveLength(1);
  });
});
