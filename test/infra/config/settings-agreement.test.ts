import { parseAuditStackConfig } from '../../../infra/config/audit-config';
import { DEFAULTS } from '../../../infra/config/defaults';
import { loadConfig } from '../../../lambdas/audit/config';
import { ALL_SETTINGS, type NumericSetting, type Setting } from '../../../lambdas/audit/settings';
import { ConfigError } from '../../../lambdas/audit/errors';
import { AuditContextError } from '../../../infra/config/errors';

/**
 * The Lambda's environment and the CDK context validate each registry setting with the
 * same rule: a value synth accepts is one the function accepts, and the reverse.
 */
const minimalEnv = {
  REPORT_BUCKET: 'audit-reports-123456789012',
  MAC_KEY_ID: '1234abcd-12ab-34cd-56ef-1234567890ab',
};

/**
 * Base and ceiling of the re-drive backoff at their extremes, so that the cross-setting
 * check (ceiling not below base) accepts every value of either range.
 */
const COMPANIONS = { redriveBaseDelayMs: '1', redriveMaxDelayMs: '300000' } as const;
const companionEnv = Object.fromEntries(
  Object.entries(COMPANIONS).map(([k, v]) => [ALL_SETTINGS[k as keyof typeof COMPANIONS].env, v]),
);

/** Whether the Lambda accepts `value` for `key`'s variable. */
function lambdaAccepts(key: keyof typeof ALL_SETTINGS, value: string): boolean {
  try {
    loadConfig({ ...minimalEnv, ...companionEnv, [ALL_SETTINGS[key].env]: value });
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(`${ALL_SETTINGS[key].env}:`);
    return false;
  }
}

/** Whether synth accepts `value` for context key `key`. */
function contextAccepts(key: keyof typeof ALL_SETTINGS, value: string): boolean {
  try {
    parseAuditStackConfig({ ...COMPANIONS, [key]: value });
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(AuditContextError);
    expect((error as AuditContextError).issues.join('\n')).toMatch(new RegExp(`^${key}: `, 'm'));
    return false;
  }
}

type SettingKey = keyof typeof ALL_SETTINGS;

const numeric: [SettingKey, NumericSetting][] = [];
for (const [key, setting] of Object.entries(ALL_SETTINGS) as [SettingKey, Setting][]) {
  if (setting.kind === 'integer' || setting.kind === 'number') {
    numeric.push([key, setting]);
  }
}

describe('settings registry', () => {
  it.each(numeric)('%s: both sides accept exactly the registry range', (key, setting) => {
    const below = String(setting.kind === 'integer' ? setting.min - 1 : setting.min / 2);
    const above = String(setting.kind === 'integer' ? setting.max + 1 : setting.max * 2);
    const cases: [string, boolean][] = [
      [String(setting.min), true],
      [String(setting.max), true],
      [below, false],
      [above, false],
      ['not-a-number', false],
    ];
    if (setting.kind === 'integer') {
      cases.push([String(setting.min + 0.5), false]);
    }
    for (const [value, accepted] of cases) {
      expect([value, lambdaAccepts(key, value), contextAccepts(key, value)]).toEqual([value, accepted, accepted]);
    }
  });

  it.each(numeric)('%s: both sides default to the registry default', (key, setting) => {
    expect((parseAuditStackConfig({}) as Record<string, unknown>)[key]).toBe(setting.default);
    expect((loadConfig(minimalEnv) as unknown as Record<string, unknown>)[key]).toBe(setting.default);
    expect((DEFAULTS as Record<string, unknown>)[key]).toBe(setting.default);
  });

  // The S3-key rule used to exist twice: the environment accepted white space and keys of
  // any length, the context did not. One rule now decides for both.
  it.each([
    ['config/baseline.json', true],
    ['a', true],
    ['/config/baseline.json', false],
    ['config/base line.json', false],
    ['config/baseline.json\n', false],
    ['k'.repeat(1024), true],
    ['k'.repeat(1025), false],
    ['é'.repeat(513), false],
    ['config/*.json', false],
    ['config/baseline?.json', false],
    ['config/${aws:username}.json', false],
  ])('baselineKey/exclusionsKey %j: accepted = %s on both sides', (value, accepted) => {
    for (const key of ['baselineKey', 'exclusionsKey'] as const) {
      expect([key, lambdaAccepts(key, value), contextAccepts(key, value)]).toEqual([key, accepted, accepted]);
    }
  });

  it.each([
    ['audit', true],
    ['audit/2026/', true],
    ['/audit', false],
    ['audit/*', false],
    ['a?b', false],
    ['${aws:PrincipalTag/team}/', false],
    ['audit reports', false],
  ])('reportPrefix %j: accepted = %s on both sides', (value, accepted) => {
    expect([lambdaAccepts('reportPrefix', value), contextAccepts('reportPrefix', value)]).toEqual([accepted, accepted]);
  });
});
