import { cronExpressionProblem, normalizeCronExpression } from '../../../infra/config/cron-expression';

describe('cronExpressionProblem', () => {
  it.each([
    'cron(0 2 * * ? *)',
    '0 2 * * ? *',
    'cron(15,45 */6 ? * MON-FRI *)',
    'cron(0 8 1 * ? 2026-2030)',
    'cron(0 8 L * ? *)',
    'cron(0 8 15W * ? *)',
    'cron(0 8 ? * 6L *)',
    'cron(0 8 ? * MON#2 *)',
    'cron(0/5 0-23/2 ? JAN-DEC sun *)',
  ])('accepts %s', (expression) => {
    expect(cronExpressionProblem(expression)).toBeUndefined();
  });

  it.each([
    ['cron(0 2 * * ?)', 'expected 6 fields'],
    ['cron(60 2 * * ? *)', "minutes field: '60' is out of range 0-59"],
    ['cron(0 2 32 * ? *)', "day-of-month field: '32' is out of range 1-31"],
    ['cron(0 2 * 13 ? *)', "month field: '13' is out of range 1-12"],
    ['cron(0 2 ? * 8 *)', "day-of-week field: '8' is out of range 1-7"],
    ['cron(0 2 ? * FUNDAY *)', "day-of-week field: 'FUNDAY' is not a number or name"],
    ['cron(0 2 * * ? 1969)', "year field: '1969' is out of range 1970-2199"],
    ['cron(0 */0 * * ? *)', "step '0'"],
    ['cron(0 2 * * * *)', 'exactly one of day-of-month and day-of-week must be "?"'],
    ['cron(0 2 ? * ? *)', 'exactly one of day-of-month and day-of-week must be "?"'],
    ['cron(0 2 1,,2 * ? *)', 'day-of-month field: empty list item'],
    ['rate(1 day)', 'not rate(...)'],
  ])('rejects %s', (expression, problem) => {
    expect(cronExpressionProblem(expression)).toContain(problem);
  });
});

describe('cronExpressionProblem messages', () => {
  it('quote a bad field as a short, display-safe prefix', () => {
    const problem = cronExpressionProblem(`0 \u001b[2J${'9'.repeat(300)} * * ? *`) ?? '';
    expect(problem).toMatch(/^hours field: '\\x1b\[2J9+…' is not a number$/);
    expect(problem).not.toContain('\u001b');
    expect(problem.length).toBeLessThan(100);
  });
});

describe('normalizeCronExpression', () => {
  it('adds the cron() wrapper only when missing', () => {
    expect(normalizeCronExpression(' 0 2 * * ? * ')).toBe('cron(0 2 * * ? *)');
    expect(normalizeCronExpression('cron(0 2 * * ? *)')).toBe('cron(0 2 * * ? *)');
  });
});
