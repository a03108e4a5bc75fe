import {
  csvCell,
  formatCsv,
  formatJson,
  formatJsonl,
  jsonForTerminal,
} from '../../../../lambdas/audit/cli/data-output';
import type { AssociationRow } from '../../../../lambdas/audit/report/rows';
import { ASSOCIATION_COLUMNS } from '../../../../lambdas/audit/report/schema';
import { row, summaryWith } from '../report/row-fixtures';
import { isDisplaySafe } from '../../../support/is-display-safe';

/** An RFC 4180 reader, independent of the writer: records of cells. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      record.push(cell);
      cell = '';
    } else if (c === '\n') {
      records.push([...record, cell]);
      record = [];
      cell = '';
    } else cell += c;
  }
  records.push([...record, cell]);
  return records;
}

const drifted = row({
  target_id: '111111111111',
  drift: true,
  drift_reasons: ['FAILED', 'BASELINE_MISMATCH'],
  audit_result: 'DRIFT',
  association_status: 'FAILED',
  association_status_message: 'Policy "p" failed, retry',
  target_name: '=HYPERLINK("http://evil.example","click")',
});
const excluded = row({
  target_id: '222222222222',
  audit_result: 'EXCLUDED',
  excluded_reason: '+cmd|/C calc!A0',
  target_name: '@SUM(1+1)',
  ou_path: '-2+3',
});

describe('csvCell', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\\x09=1"],
    ['\r=1', "'\\x0d=1"],
    ['a=1', 'a=1'],
    ['plain', 'plain'],
  ])('defuses a formula: %j becomes %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it.each([
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    [' padded ', '" padded "'],
    ['=a,"b"', `"'=a,""b"""`],
  ])('quotes %j per RFC 4180', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('writes null as empty, lists joined with ";", booleans as words', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell(['FAILED', 'MISSING'])).toBe('FAILED;MISSING');
    expect(csvCell(false)).toBe('false');
  });

  it('escapes terminal controls visibly and never cuts a long value', () => {
    expect(csvCell('a\u001b[2J\nb\u202e')).toBe('a\\x1b[2J\\x0ab\\u202e');
    expect(csvCell('x'.repeat(5000))).toHaveLength(5000);
  });
});

describe('formatCsv', () => {
  it('has the report columns as header and one record per row, read back cell by cell', () => {
    const records = parseCsv(formatCsv([drifted, excluded]));
    const names = ASSOCIATION_COLUMNS.map((c) => c.name);
    expect(records[0]).toEqual(names);
    expect(records).toHaveLength(3);
    const read = records.slice(1).map((r) => Object.fromEntries(names.map((n, i) => [n, r[i]])));
    expect(read[0]).toMatchObject({
      target_id: '111111111111',
      drift_reasons: 'FAILED;BASELINE_MISMATCH',
      association_status_message: 'Policy "p" failed, retry',
      target_name: `'=HYPERLINK("http://evil.example","click")`,
      drift: 'true',
      audit_result: 'DRIFT',
    });
    expect(read[1]).toMatchObject({
      excluded_reason: "'+cmd|/C calc!A0",
      target_name: "'@SUM(1+1)",
      ou_path: "'-2+3",
      baseline_policy_id: '',
    });
  });

  it('no cell of hostile rows starts with a formula character, and the text is display-safe', () => {
    const hostile = row({ target_id: '333333333333', target_name: '\u001b]0;x\u0007=1', error_reason: '\r\n=2' });
    const text = formatCsv([drifted, excluded, hostile]);
    expect(isDisplaySafe(text.replace(/\n/g, ''))).toBe(true);
    for (const record of parseCsv(text)) {
      for (const cell of record) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    }
  });

  it('is the header alone when nothing is flagged', () => {
    expect(formatCsv([]).split('\n')).toHaveLength(1);
  });
});

describe('formatJson and formatJsonl', () => {
  const summary = summaryWith({ run_id: '20261126T020000Z', departed_targets: ['\u009b2J'] });
  const report = { associations: '/r/associations/a.jsonl.gz', html: '/r/html/a.html' };

  it('json is one document: the summary, where the report is, and every given row', () => {
    const text = formatJson(summary, report, [drifted, excluded]);
    expect(isDisplaySafe(text)).toBe(true);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify({ summary, report, rows: [drifted, excluded] })));
  });

  it('jsonl is one row per line, each the row as written to the report', () => {
    const hostile: AssociationRow = { ...excluded, target_name: 'x\u2028y\u202e' };
    const lines = formatJsonl([drifted, hostile]).split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual([drifted, hostile]);
    expect(isDisplaySafe(lines.join(''))).toBe(true);
    expect(formatJsonl([])).toBe('');
  });
});

describe('jsonForTerminal', () => {
  it('is the same JSON value with C1 and bidi characters escaped', () => {
    const hostile = { departed_targets: ['\u009b2J\u202e\u001b'] };
    const text = jsonForTerminal(hostile);
    expect(isDisplaySafe(text)).toBe(true);
    expect(JSON.parse(text)).toEqual(hostile);
  });
});
