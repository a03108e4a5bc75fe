import { AUDIT_CONTEXT_KEY_DOCS, parseAuditStackConfig } from '../../../infra/config/audit-config';
import { DEFAULTS } from '../../../infra/config/defaults';
import { STACK_SETTINGS, type StackSetting } from '../../../infra/config/stack-settings';
import { ALL_SETTINGS } from '../../../lambdas/audit/settings';

const entries = Object.entries(STACK_SETTINGS) as [string, StackSetting][];
const integers = entries.filter((entry): entry is [string, StackSetting & { kind: 'integer' }] => {
  return entry[1].kind === 'integer';
});

/** The issues synth reports for `context`, or [] when it accepts it. */
function issuesOf(context: Record<string, unknown>): readonly string[] {
  try {
    parseAuditStackConfig(context);
    return [];
  } catch (error) {
    return (error as { issues: readonly string[] }).issues;
  }
}

describe('stack settings registry', () => {
  it('shares no key with the Lambda settings registry', () => {
    expect(Object.keys(STACK_SETTINGS).filter((key) => key in ALL_SETTINGS)).toEqual([]);
  });

  it.each(entries)('%s: DEFAULTS and the parsed context hold the registry default', (key, setting) => {
    const parsed = parseAuditStackConfig({}) as Readonly<Record<string, unknown>>;
    expect(parsed[key]).toEqual(setting.default);
    expect((DEFAULTS as Readonly<Record<string, unknown>>)[key]).toEqual(setting.default);
  });

  it.each(integers)('%s: accepts exactly the registry range', (key, { min, max }) => {
    // Only the key's own rule counts: cross-key checks may reject an in-range value.
    const accepted = (value: number) =>
      !issuesOf({ [key]: value }).some((issue) => issue.startsWith(`${key}: expected an integer`));
    expect([accepted(min), accepted(max), accepted(min - 1), accepted(max + 1)]).toEqual([true, true, false, false]);
  });

  it.each(entries)('%s: its README line has every placeholder filled in', (key) => {
    expect(AUDIT_CONTEXT_KEY_DOCS[key as keyof typeof AUDIT_CONTEXT_KEY_DOCS]).not.toMatch(/\{\w+\}/);
  });
});
