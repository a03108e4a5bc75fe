import { shownValue } from './quoted-value';

/**
 * Validation of EventBridge cron expressions at synth time, so a typo fails
 * `cdk synth` with the offending field named instead of failing
 * `cdk deploy` half-way with "Parameter ScheduleExpression is not valid".
 *
 * Format (EventBridge, six fields, UTC):
 * `cron(Minutes Hours Day-of-month Month Day-of-week Year)`.
 */

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Extra whole-item forms this field accepts, besides numbers, ranges, steps and `*`. */
  readonly special?: RegExp;
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, special: /^(\?|L|LW|\d{1,2}W)$/ },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  {
    name: 'day-of-week',
    min: 1,
    max: 7,
    names: WEEKDAYS,
    special: /^(\?|L|([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)(L|#[1-5]))$/,
  },
  { name: 'year', min: 1970, max: 2199 },
];

function toNumber(token: string, field: FieldSpec): number | undefined {
  if (/^\d+$/.test(token)) {
    return Number(token);
  }
  const index = field.names?.indexOf(token.toUpperCase()) ?? -1;
  return index >= 0 ? index + 1 : undefined;
}

function checkValue(token: string, field: FieldSpec): string | undefined {
  const value = toNumber(token, field);
  if (value === undefined) {
    return `${field.name} field: '${shownValue(token)}' is not a number${field.names ? ' or name' : ''}`;
  }
  if (value < field.min || value > field.max) {
    return `${field.name} field: '${shownValue(token)}' is out of range ${field.min}-${field.max}`;
  }
  return undefined;
}

/** Checks one comma-separated item such as `5`, `1-5`, `*\/10`, `MON-FRI` or `L`. */
function checkItem(item: string, field: FieldSpec): string | undefined {
  if (item === '') {
    return `${field.name} field: empty list item`;
  }
  if (field.special?.test(item.toUpperCase())) {
    if (item.endsWith('W') && /^\d/.test(item)) {
      return checkValue(item.slice(0, -1), field);
    }
    return undefined;
  }
  const [base, step, ...rest] = item.split('/');
  if (rest.length > 0) {
    return `${field.name} field: '${shownValue(item)}' has more than one '/'`;
  }
  if (step !== undefined && !/^[1-9]\d*$/.test(step)) {
    return `${field.name} field: step '${shownValue(step)}' in '${shownValue(item)}' is not a positive integer`;
  }
  if (base === '*') {
    return undefined;
  }
  const bounds = (base ?? '').split('-');
  if (bounds.length > 2) {
    return `${field.name} field: '${shownValue(item)}' is not a value or a range`;
  }
  for (const bound of bounds) {
    const problem = checkValue(bound, field);
    if (problem) {
      return problem;
    }
  }
  return undefined;
}

/**
 * Returns `undefined` when `expression` is a valid EventBridge cron expression
 * (with or without the `cron(...)` wrapper), otherwise a sentence naming the
 * first problem found.
 */
export function cronExpressionProblem(expression: string): string | undefined {
  const inner = /^cron\((.*)\)$/.exec(expression.trim())?.[1] ?? expression.trim();
  if (inner.startsWith('rate(')) {
    return 'expected a cron(...) expression, not rate(...)';
  }
  const parts = inner.trim().split(/\s+/);
  if (parts.length !== FIELDS.length) {
    return `expected 6 fields "cron(minutes hours day-of-month month day-of-week year)", got ${parts.length}`;
  }
  for (const [index, field] of FIELDS.entries()) {
    for (const item of parts[index].split(',')) {
      const problem = checkItem(item, field);
      if (problem) {
        return problem;
      }
    }
  }
  // EventBridge rejects expressions that constrain both day fields.
  const dayOfMonth = parts[2];
  const dayOfWeek = parts[4];
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    return 'exactly one of day-of-month and day-of-week must be "?"';
  }
  return undefined;
}

/** Wraps a validated expression in `cron(...)` if it is not already. */
export function normalizeCronExpression(expression: string): string {
  const trimmed = expression.trim();
  return trimmed.startsWith('cron(') ? trimmed : `cron(${trimmed})`;
}
