import { gunzipSync, gzipSync } from 'node:zlib';
import { ASSOCIATION_COLUMNS } from '../../../../lambdas/audit/report/schema';
import {
  matchesGlueType,
  parseRows,
  POLICY_NOT_FOUND,
  serializeRows,
  type AssociationRow,
} from '../../../../lambdas/audit/report/rows';
import { DEEP, L2, L3, L4, P1, P2, ROOT, TOP } from '../drift/fixtures';
import { RUN_ID, RUN_TIME, sampleRows } from './row-fixtures';
import { ReportFormatError } from '../../../../lambdas/audit/errors';

const COLUMN_NAMES = ASSOCIATION_COLUMNS.map((c) => c.name);

function lines(buffer: Buffer): Record<string, unknown>[] {
  return gunzipSync(buffer)
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function gzLines(objects: unknown[]): Buffer {
  return gzipSync(Buffer.from(objects.map((o) => `${JSON.stringify(o)}\n`).join(''), 'utf8'));
}

describe('buildAssociationRows: names, severity and the fix', () => {
  const names = new Map([[P1, 'Org baseline']]);
  const named = new Map(sampleRows(RUN_ID, RUN_TIME, null, { policyNames: names }).rows.map((r) => [r.target_id, r]));

  it('names policies, says when a listed run has no such policy, and reads OU paths as names', () => {
    expect(named.get(ROOT)).toMatchObject({
      configuration_policy_name: 'Org baseline',
      baseline_policy_name: 'Org baseline',
    });
    // TOP applies P2, which the listing does not contain.
    expect(named.get(TOP)).toMatchObject({
      configuration_policy_name: POLICY_NOT_FOUND,
      expected_policy_name: 'Org baseline',
    });
    expect(named.get(DEEP)?.ou_path_names).toBe(
      [ROOT, 'ou-ab12-11111111', L2, L3, L4].map((id) => `name-${id}`).join(' / '),
    );
  });

  it('gives every drifted row its severity and, where a command can fix it, the command', () => {
    expect(named.get(TOP)).toMatchObject({
      drift_reasons: ['BASELINE_MISMATCH'],
      severity: 'MEDIUM',
      // TOP applies P2 where the baseline wants P1, which it would inherit: disassociate P2.
      remediation_command: `aws securityhub start-configuration-policy-disassociation --configuration-policy-identifier ${P2} --target '{"AccountId":"${TOP}"}'`,
    });
    expect(named.get(L3)).toMatchObject({ severity: 'LOW', remediation_command: null });
    // Excluded: severity kept for information, no command (nothing to do while excluded).
    expect(named.get(DEEP)).toMatchObject({ audit_result: 'EXCLUDED', severity: 'HIGH', remediation_command: null });
  });
});

describe('buildAssociationRows', () => {
  const { rows, departedTargets } = sampleRows();
  const byId = new Map(rows.map((r) => [r.target_id, r]));

  it('builds one row per finding with exactly the schema columns, in order', () => {
    expect(rows).toHaveLength(7);
    for (const row of rows) expect(Object.keys(row)).toEqual(COLUMN_NAMES);
    expect(departedTargets).toEqual([]);
  });

  it('maps findings to columns', () => {
    expect(byId.get(ROOT)).toEqual({
      run_id: RUN_ID,
      audited_at: RUN_TIME,
      target_id: ROOT,
      target_type: 'ROOT',
      target_name: `name-${ROOT}`,
      parent_id: null,
      ou_path: ROOT,
      account_status: null,
      configuration_policy_id: P1,
      association_type: 'APPLIED',
      association_status: 'SUCCESS',
      association_status_message: null,
      updated_at: '2026-11-25T00:00:00.000Z',
      expected_policy_id: null,
      baseline_policy_id: P1,
      drift: false,
      drift_reasons: [],
      audit_result: 'OK',
      changes: [],
      error_code: null,
      error_reason: null,
      first_drift_seen: null,
      excluded_reason: null,
      exclusion_expires: null,
      exclusion_expired: false,
      ou_path_names: `name-${ROOT}`,
      configuration_policy_name: null,
      expected_policy_name: null,
      baseline_policy_name: null,
      severity: null,
      remediation_command: null,
    });
    expect(byId.get(L3)).toMatchObject({
      configuration_policy_id: null,
      association_type: null,
      association_status: null,
      drift: true,
      drift_reasons: ['UNPROCESSED'],
      audit_result: 'DRIFT',
      changes: ['NEW_DRIFT'],
      error_code: 'ThrottlingException',
      error_reason: 'Rate exceeded',
      first_drift_seen: RUN_TIME,
    });
    expect(byId.get(DEEP)).toMatchObject({
      account_status: 'ACTIVE',
      ou_path: `${ROOT}/ou-ab12-11111111/${L2}/${L3}/${L4}`,
      association_status_message: 'Access denied',
      drift: false,
      drift_reasons: ['FAILED'],
      audit_result: 'EXCLUDED',
      changes: [],
      excluded_reason: 'Being fixed, CHG-7',
      exclusion_expires: '2026-12-31',
      exclusion_expired: false,
    });
    expect(byId.get(L4)).toMatchObject({
      audit_result: 'OK',
      excluded_reason: 'Old',
      exclusion_expires: '2026-01-31',
      exclusion_expired: true,
    });
    expect(byId.get(TOP)).toMatchObject({
      configuration_policy_id: P2,
      baseline_policy_id: P1,
      drift_reasons: ['BASELINE_MISMATCH'],
      audit_result: 'DRIFT',
    });
  });
});

describe('serializeRows / parseRows', () => {
  const { rows } = sampleRows();

  it('writes gzip JSON Lines with keys in schema order and Glue-typed values', () => {
    const buffer = serializeRows(rows);
    expect(buffer.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const text = gunzipSync(buffer).toString('utf8');
    expect(text.endsWith('\n')).toBe(true);
    const objects = lines(buffer);
    expect(objects).toHaveLength(rows.length);
    for (const object of objects) {
      expect(Object.keys(object)).toEqual(COLUMN_NAMES);
      for (const column of ASSOCIATION_COLUMNS) {
        const value = object[column.name];
        switch (column.type) {
          case 'string':
            expect(value === null || typeof value === 'string').toBe(true);
            break;
          case 'boolean':
            expect(typeof value).toBe('boolean');
            break;
          case 'array<string>':
            expect(Array.isArray(value) && value.every((v) => typeof v === 'string')).toBe(true);
            break;
          default:
            throw new Error(`unexpected column type ${column.type} in the associations table`);
        }
      }
    }
  });

  it('round-trips', () => {
    const parsed = parseRows(serializeRows(rows));
    expect(parsed).toEqual(rows);
    for (const row of parsed) expect(Object.keys(row)).toEqual(COLUMN_NAMES);
    expect(parseRows(serializeRows([]))).toEqual([]);
  });

  it('refuses to write a row that breaks the contract', () => {
    const extra = { ...rows[0], note: 'x' } as unknown as AssociationRow;
    expect(() => serializeRows([extra])).toThrow(/keys not in the schema: note/);
    const missing: Record<string, unknown> = { ...rows[0] };
    delete missing.first_drift_seen;
    expect(() => serializeRows([missing as unknown as AssociationRow])).toThrow(/missing column first_drift_seen/);
    const wrong = { ...rows[0], drift: 'yes' } as unknown as AssociationRow;
    expect(() => serializeRows([wrong])).toThrow(ReportFormatError);
    const undefinedValue = { ...rows[0], parent_id: undefined } as unknown as AssociationRow;
    expect(() => serializeRows([undefinedValue])).toThrow(/parent_id must be string/);
  });

  it('fills optional columns an older run did not write', () => {
    const old = lines(serializeRows(rows)).map((o) => {
      const rest = { ...o };
      for (const column of ['first_drift_seen', 'exclusion_expired', 'changes', 'baseline_policy_id'])
        delete rest[column];
      return { ...rest, future_column: 1 };
    });
    const parsed = parseRows(gzLines(old));
    expect(parsed).toHaveLength(rows.length);
    for (const row of parsed) {
      expect(Object.keys(row)).toEqual(COLUMN_NAMES);
      expect(row).toMatchObject({
        first_drift_seen: null,
        exclusion_expired: false,
        changes: [],
        baseline_policy_id: null,
      });
    }
  });

  it.each([
    ['not gzip', Buffer.from('plain text'), /assoc: not gzip data/],
    ['bad JSON', gzipSync(Buffer.from('{"run_id":\n')), /assoc: line 1: not valid JSON/],
    ['a non-object line', gzipSync(Buffer.from('{}\n[1]\n')), /assoc: line 1: .*run_id/],
    ['an array line', gzipSync(Buffer.from('[1]\n')), /assoc: line 1: expected a JSON object/],
  ])('throws ReportFormatError on %s', (_what, buffer, message) => {
    expect(() => parseRows(buffer, 'assoc')).toThrow(ReportFormatError);
    expect(() => parseRows(buffer, 'assoc')).toThrow(message);
  });

  it('throws on a missing required column or a wrong type, naming line and column', () => {
    const objects = lines(serializeRows(rows));
    const noId = { ...objects[1] };
    delete noId.target_id;
    expect(() => parseRows(gzLines([objects[0], noId]), 'assoc')).toThrow(/assoc: line 2: target_id: /);
    expect(() => parseRows(gzLines([{ ...objects[0], drift_reasons: ['BOGUS'] }]), 'assoc')).toThrow(
      /line 1: drift_reasons\.0: /,
    );
    expect(() => parseRows(gzLines([{ ...objects[0], drift: 'false' }]), 'assoc')).toThrow(/line 1: drift: /);
  });
});

describe('matchesGlueType', () => {
  it.each([
    ['string', null, true],
    ['string', 'x', true],
    ['string', 1, false],
    ['boolean', false, true],
    ['boolean', null, false],
    ['int', 3, true],
    ['int', 3.5, false],
    ['int', 2 ** 31, false],
    ['bigint', 2 ** 40, true],
    ['double', 1.25, true],
    ['double', Number.NaN, false],
    ['array<string>', ['a'], true],
    ['array<string>', [1], false],
  ] as const)('%s accepts %p: %s', (type, value, expected) => {
    expect(matchesGlueType(type, value)).toBe(expected);
  });
});
