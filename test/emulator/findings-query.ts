/**
 * GetFindings' filters, as far as the audit uses them: string filters on a few top-level
 * fields. Comparison semantics follow the SDK model's StringFilter.Comparison
 * documentation: EQUALS, PREFIX and CONTAINS filters on one field are joined by OR;
 * NOT_EQUALS, PREFIX_NOT_EQUALS and NOT_CONTAINS by AND; EQUALS with NOT_EQUALS or
 * PREFIX_NOT_EQUALS on one field, or CONTAINS with NOT_CONTAINS, "returns an error".
 * A filter on any other field is refused, so a new filter in the code cannot pass
 * unemulated.
 */
import { securityHubInvalidInput } from './service-error';

type Json = Record<string, unknown>;

/** model: enum StringFilterComparison. */
const COMPARISONS = [
  'EQUALS',
  'PREFIX',
  'NOT_EQUALS',
  'PREFIX_NOT_EQUALS',
  'CONTAINS',
  'NOT_CONTAINS',
  'CONTAINS_WORD',
] as const;
type Comparison = (typeof COMPARISONS)[number];
const POSITIVE: readonly Comparison[] = ['EQUALS', 'PREFIX', 'CONTAINS'];

/** AwsSecurityFindingFilters members the emulator serves, and the finding field each reads. */
const FIELDS: Readonly<Record<string, (f: Json) => unknown>> = {
  ProductArn: (f) => f.ProductArn,
  GeneratorId: (f) => f.GeneratorId,
  RecordState: (f) => f.RecordState,
  Id: (f) => f.Id,
  AwsAccountId: (f) => f.AwsAccountId,
  ComplianceStatus: (f) =>
    typeof f.Compliance === 'object' && f.Compliance ? (f.Compliance as Json).Status : undefined,
};

interface StringFilter {
  readonly value: string;
  readonly comparison: Comparison;
}

function parseFilters(name: string, list: unknown): StringFilter[] {
  if (!Array.isArray(list)) throw securityHubInvalidInput(`Filters.${name} must be a list of string filters.`);
  const filters = list.map((item: unknown) => {
    const f = (item ?? {}) as Json;
    if (typeof f.Value !== 'string' || !/\S/.test(f.Value))
      throw securityHubInvalidInput(`Filters.${name}[].Value must be a non-empty string.`);
    if (!(COMPARISONS as readonly unknown[]).includes(f.Comparison) || f.Comparison === 'CONTAINS_WORD')
      throw securityHubInvalidInput(`Filters.${name}[].Comparison is not one the emulator serves.`);
    return { value: f.Value, comparison: f.Comparison as Comparison };
  });
  const has = (c: Comparison) => filters.some((f) => f.comparison === c);
  if ((has('EQUALS') && (has('NOT_EQUALS') || has('PREFIX_NOT_EQUALS'))) || (has('CONTAINS') && has('NOT_CONTAINS')))
    throw securityHubInvalidInput(`Filters.${name} combines comparisons that cannot be combined.`);
  return filters;
}

function matchesOne(value: string, f: StringFilter): boolean {
  switch (f.comparison) {
    case 'EQUALS':
      return value === f.value;
    case 'PREFIX':
      return value.startsWith(f.value);
    case 'CONTAINS':
      return value.includes(f.value);
    case 'NOT_EQUALS':
      return value !== f.value;
    case 'PREFIX_NOT_EQUALS':
      return !value.startsWith(f.value);
    default:
      return !value.includes(f.value);
  }
}

function matchesField(value: unknown, filters: readonly StringFilter[]): boolean {
  const text = typeof value === 'string' ? value : '';
  const positive = filters.filter((f) => POSITIVE.includes(f.comparison));
  const negative = filters.filter((f) => !POSITIVE.includes(f.comparison));
  return (
    (positive.length === 0 || positive.some((f) => matchesOne(text, f))) && negative.every((f) => matchesOne(text, f))
  );
}

/** A predicate for the request's `Filters`. Throws InvalidInputException for what it cannot serve. */
export function findingFilter(filters: unknown): (finding: Json) => boolean {
  if (filters === undefined || filters === null) return () => true;
  if (typeof filters !== 'object' || Array.isArray(filters))
    throw securityHubInvalidInput('Filters must be an object.');
  const parsed = Object.entries(filters as Json).map(([name, list]) => {
    const read = FIELDS[name];
    if (read === undefined) throw securityHubInvalidInput(`The emulator does not serve the filter ${name}.`);
    return { read, filters: parseFilters(name, list) };
  });
  return (finding) => parsed.every(({ read, filters: list }) => matchesField(read(finding), list));
}
