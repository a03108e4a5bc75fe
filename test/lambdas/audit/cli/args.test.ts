import { parseCliArgs } from '../../../../lambdas/audit/cli/args';
import { UsageError } from '../../../../lambdas/audit/errors';

describe('parseCliArgs', () => {
  it('reads a local run', () => {
    expect(
      parseCliArgs(['--out-dir', 'reports', '--baseline', 'b.json', '--exclusions', 'e.json', '--quiet']),
    ).toMatchObject({
      outDir: 'reports',
      bucket: undefined,
      prefix: '',
      baselineFile: 'b.json',
      exclusionsFile: 'e.json',
      maxMinutes: 14,
      listLimit: 20,
      quiet: true,
      format: 'table',
    });
  });

  it('reads an S3 run with a prefix and a schedule time', () => {
    expect(
      parseCliArgs(['--bucket', 'reports-bucket', '--prefix', 'audit', '--schedule-time', '2026-11-26T02:00:00Z']),
    ).toMatchObject({
      bucket: 'reports-bucket',
      // Normalized once, here, like the setting's schema does for the Lambda.
      prefix: 'audit/',
      scheduleTime: '2026-11-26T02:00:00Z',
      rerun: false,
    });
    expect(parseCliArgs(['--out-dir', 'r', '--schedule-time', '2024-11-26T02:00:00Z', '--rerun'])).toMatchObject({
      scheduleTime: '2024-11-26T02:00:00Z',
      rerun: true,
    });
  });

  it.each([
    [[], /exactly one of --bucket NAME or --out-dir DIR/],
    [['--bucket', 'x', '--out-dir', 'y'], /exactly one of/],
    [['--out-dir', 'r', '--max-minutes', '0'], /--max-minutes: expected a positive decimal number up to 720/],
    [['--out-dir', 'r', '--max-minutes', '0x10'], /--max-minutes: .*got "0x10"/],
    [['--out-dir', 'r', '--max-minutes', '1e308'], /--max-minutes: .*got "1e308"/],
    [['--out-dir', 'r', '--max-minutes', 'Infinity'], /--max-minutes/],
    [['--out-dir', 'r', '--max-minutes', ' 5'], /--max-minutes/],
    [['--out-dir', 'r', '--max-minutes', '721'], /--max-minutes/],
    [['--out-dir', 'r', '--list=-3'], /--list: expected a whole number from 0 to 10000/],
    [['--out-dir', 'r', '--list', '2.5'], /--list/],
    [['--out-dir', 'r', '--list', '0x1'], /--list/],
    [['--out-dir', 'r', '--out-dir', 's'], /--out-dir: given more than once/],
    [['--out-dir', ''], /--out-dir: expected a non-empty value/],
    [['--out-dir', 'r', '--rerun'], /--rerun: needs --schedule-time/],
    [['--bucket', 'Not_A_Bucket'], /--bucket: expected an S3 bucket name/],
    [['--bucket', 'a..b'], /--bucket: expected an S3 bucket name/],
    [['--bucket', '192.168.1.1'], /--bucket: expected an S3 bucket name/],
    [['--bucket', 'ok-bucket', '--prefix', 'a/../b'], /--prefix: expected no empty, "." or ".." segment/],
    [['--bucket', 'ok-bucket', '--prefix', 'a b'], /--prefix: expected an S3 key prefix of safe characters/],
    [['--out-dir', 'r', '--prefix', '..'], /--prefix: expected no empty/],
    [
      ['--out-dir', 'r', '--organizations-role-arn', 'arn:aws:iam::12:role/x'],
      /--organizations-role-arn: expected an IAM role ARN/,
    ],
    [['--out-dir', 'r', '--baseline', ''], /--baseline: expected a non-empty value/],
    [['--out-dir', 'r', '--schedule-time', 'x'.repeat(65)], /--schedule-time: expected an ISO 8601 date-time/],
    [['--out-dir', 'r', '--bogus'], /^Unknown option "--bogus"$/],
    [['--out-dir', 'r', '--fromat', 'csv'], /^Unknown option "--fromat"; did you mean --format\?$/],
    [['--out-dir', 'r', '--exclusion=e.json'], /^Unknown option "--exclusion"; did you mean --exclusions\?$/],
    [['--outdir', 'r'], /^Unknown option "--outdir"; did you mean --out-dir\?$/],
    [['--out-dir', 'r', '-x'], /^Unknown option "-x"$/],
    [['--out-dir', 'r', '--format', 'xml'], /^--format: expected one of table, json, jsonl, csv, got "xml"$/],
    [['--out-dir', 'r', '--format', 'JSON'], /^--format: expected one of/],
    [['--out-dir', 'r', '--format', 'csv', '--json'], /^--json is --format json; it contradicts --format csv$/],
    [['--out-dir', 'r', '--format', 'csv', '--format', 'json'], /--format: given more than once/],
    [['--out-dir', 'r', '--mac-key-id', 'my key'], /--mac-key-id: expected a KMS key id/],
    [['--out-dir', 'r', '--mac-key-id', 'alias/x\u001b[2J'], /--mac-key-id: expected a KMS key id/],
    [['--out-dir', 'r', 'positional'], /positional/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });

  it('is a BAD_INPUT error that shows a hostile value escaped and short', () => {
    let caught: unknown;
    try {
      parseCliArgs(['--bucket', `\u001b[2J${'x'.repeat(1000)}`]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as UsageError).kind).toBe('BAD_INPUT');
    const message = (caught as Error).message;
    expect(message).toContain('got "\\x1b[2Jxxx');
    expect(message).not.toContain('\u001b');
    expect(message.length).toBeLessThan(200);
  });

  it('accepts prefixes with a trailing slash, role ARNs and decimals', () => {
    expect(
      parseCliArgs([
        '--bucket',
        'my.audit-bucket1',
        '--prefix',
        'audit/nightly/',
        '--organizations-role-arn',
        'arn:aws-us-gov:iam::123456789012:role/path/OrgRead',
        '--max-minutes',
        '0.5',
        '--list',
        '0',
      ]),
    ).toMatchObject({ prefix: 'audit/nightly/', maxMinutes: 0.5, listLimit: 0 });
  });

  it('refuses a prefix the Lambda and the stack would refuse (one rule for all three)', () => {
    expect(() => parseCliArgs(['--out-dir', '.', '--prefix', '/audit/'])).toThrow(/must not start with "\/"/);
    expect(() => parseCliArgs(['--out-dir', '.', '--prefix', 'a/*/b'])).toThrow(/IAM resource ARN/);
  });

  it.each([
    [[], 'table'],
    [['--format', 'table'], 'table'],
    [['--format', 'json'], 'json'],
    [['--format=jsonl'], 'jsonl'],
    [['--format', 'csv'], 'csv'],
    [['--json'], 'json'],
    [['--json', '--format', 'json'], 'json'],
  ])('reads the output format from %j', (argv, format) => {
    expect(parseCliArgs(['--out-dir', 'r', ...argv]).format).toBe(format);
  });

  it('shows an unknown option display-safe', () => {
    expect(() => parseCliArgs(['--out-dir', 'r', '--\u001b[2Jx'])).toThrow('Unknown option "--\\x1b[2Jx"');
  });

  it('accepts a MAC key id, key ARN or alias', () => {
    for (const key of [
      '1234abcd-12ab-34cd-56ef-1234567890ab',
      'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      'alias/audit-mac',
    ]) {
      expect(parseCliArgs(['--out-dir', 'r', '--mac-key-id', key]).macKeyId).toBe(key);
    }
  });

  it('accepts --help without a destination', () => {
    expect(parseCliArgs(['-h']).help).toBe(true);
  });
});
