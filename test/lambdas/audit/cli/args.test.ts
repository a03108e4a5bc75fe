import { parseCliArgs, UsageError } from '../../../../lambdas/audit/cli/args';

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
      json: false,
    });
  });

  it('reads an S3 run with a prefix and a schedule time', () => {
    expect(
      parseCliArgs(['--bucket', 'reports-bucket', '--prefix', 'audit', '--schedule-time', '2026-11-26T02:00:00Z']),
    ).toMatchObject({
      bucket: 'reports-bucket',
      prefix: 'audit',
      scheduleTime: '2026-11-26T02:00:00Z',
    });
  });

  it.each([
    [[], /exactly one of --bucket NAME or --out-dir DIR/],
    [['--bucket', 'x', '--out-dir', 'y'], /exactly one of/],
    [['--out-dir', 'r', '--max-minutes', '0'], /--max-minutes: expected a positive number/],
    [['--out-dir', 'r', '--list=-3'], /--list: expected a non-negative number/],
    [['--out-dir', 'r', '--bogus'], /Unknown option '--bogus'/],
    [['--out-dir', 'r', 'positional'], /positional/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });

  it('accepts --help without a destination', () => {
    expect(parseCliArgs(['-h']).help).toBe(true);
  });
});
