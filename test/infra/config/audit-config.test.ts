import { AUDIT_CONTEXT_KEY_DOCS, AUDIT_CONTEXT_KEYS, parseAuditStackConfig } from '../../../infra/config/audit-config';
import { DEFAULTS } from '../../../infra/config/defaults';
import { AuditError } from '../../../lambdas/audit/errors';
import { DEFAULT_TUNING } from '../../support/default-tuning';
import { AuditContextError } from '../../../infra/config/errors';

/** The error's list of issues, for exact assertions. */
function issuesOf(context: Record<string, unknown>): readonly string[] {
  try {
    parseAuditStackConfig(context);
  } catch (error) {
    expect(error).toBeInstanceOf(AuditContextError);
    return (error as AuditContextError).issues;
  }
  throw new Error('expected an AuditContextError');
}

describe('parseAuditStackConfig', () => {
  it('applies the documented defaults to an empty context', () => {
    const config = parseAuditStackConfig({});
    expect(config).toEqual({
      stackName: 'SecurityHubConfigAudit',
      scheduleCron: 'cron(0 2 * * ? *)',
      scheduleEnabled: true,
      scheduleRetryAttempts: 3,
      scheduleMaxEventAgeHours: 2,
      functionRetryAttempts: 2,
      functionTimeoutMinutes: 15,
      functionMemoryMb: 1024,
      logRetentionDays: 365,
      logLevel: 'INFO',
      serviceName: 'securityhub-config-audit',
      metricsNamespace: 'SecurityHubConfigAudit',
      reportPrefix: '',
      reportTransitionIaDays: 30,
      reportTransitionGlacierDays: 90,
      reportExpirationDays: 730,
      reportObjectLockDays: 365,
      noncurrentVersionExpirationDays: 30,
      accessLogsExpirationDays: 365,
      athenaResultsExpirationDays: 30,
      athenaBytesScannedCutoffMb: 1024,
      glueDatabaseName: 'securityhub_config_audit',
      athenaWorkGroupName: 'securityhub-config-audit',
      alertEmails: [],
      heartbeatHours: 26,
      durationAlarmPercent: 80,
      digestMaxTargets: 20,
      publishFindings: true,
      checkpointIntervalSeconds: 60,
      ...DEFAULT_TUNING,
      // The re-check is off by default; its settings still have their registry defaults.
      recheck: false,
      recheckSecurityHubRequestsPerSecond: 2,
      recheckOrganizationsRequestsPerSecond: 1,
      recheckPendingWaitSeconds: 180,
      recheckMaxTargets: 5000,
    });
  });

  it('takes the Lambda tuning defaults from the Lambda config module', () => {
    expect(parseAuditStackConfig({})).toMatchObject(DEFAULT_TUNING);
    expect(DEFAULTS).toMatchObject(DEFAULT_TUNING);
  });

  it('parses strings as -c key=value delivers them', () => {
    const config = parseAuditStackConfig({
      scheduleCron: '30 1 ? * MON-FRI *',
      scheduleEnabled: 'false',
      functionMemoryMb: '2048',
      securityHubRequestsPerSecond: '2.5',
      logRetentionDays: '90',
      logLevel: 'debug',
      alertEmails: 'sec@example.com, ops@example.org',
      reportPrefix: 'audit',
      reportKmsKey: 'create',
      partitionStartDate: '2026-01-31',
      organizationsRoleArn: 'arn:aws:iam::111122223333:role/OrgRead',
      baselineKey: 'config/baseline.json',
    });
    expect(config).toMatchObject({
      scheduleCron: 'cron(30 1 ? * MON-FRI *)',
      scheduleEnabled: false,
      functionMemoryMb: 2048,
      securityHubRequestsPerSecond: 2.5,
      logRetentionDays: 90,
      logLevel: 'DEBUG',
      alertEmails: ['sec@example.com', 'ops@example.org'],
      reportPrefix: 'audit/',
      reportKmsKey: 'create',
      partitionStartDate: '2026-01-31',
      organizationsRoleArn: 'arn:aws:iam::111122223333:role/OrgRead',
      baselineKey: 'config/baseline.json',
    });
  });

  it('accepts typed values as cdk.json holds them, and JSON lists from -c', () => {
    expect(
      parseAuditStackConfig({ functionTimeoutMinutes: 10, scheduleEnabled: true, alertEmails: ['a@example.com'] }),
    ).toMatchObject({
      functionTimeoutMinutes: 10,
      scheduleEnabled: true,
      alertEmails: ['a@example.com'],
    });
    expect(parseAuditStackConfig({ alertEmails: '["a@example.com","b@example.com"]' }).alertEmails).toEqual([
      'a@example.com',
      'b@example.com',
    ]);
  });

  it('treats blank strings as unset', () => {
    expect(parseAuditStackConfig({ functionMemoryMb: ' ', reportKmsKey: '', alertEmails: '' })).toMatchObject({
      functionMemoryMb: 1024,
      reportKmsKey: undefined,
      alertEmails: [],
    });
  });

  it('ignores keys owned by the CDK and its CLI', () => {
    expect(() =>
      parseAuditStackConfig({
        '@aws-cdk/aws-s3:createDefaultLoggingPolicy': true,
        'aws:cdk:bundling-stacks': [],
        'availability-zones:account=111122223333:region=eu-west-1': ['eu-west-1a'],
        'cli-telemetry': false,
        'acknowledged-issue-numbers': [1],
      }),
    ).not.toThrow();
  });

  it.each([
    [{ scheduleCron: 'cron(0 2 * * *)' }, 'scheduleCron: invalid cron expression "cron(0 2 * * *)": expected 6 fields'],
    [
      { scheduleCron: 'cron(0 24 * * ? *)' },
      'scheduleCron: invalid cron expression "cron(0 24 * * ? *)": hours field: \'24\' is out of range 0-23',
    ],
    [{ scheduleCron: 'cron(0 2 * * MON *)' }, 'exactly one of day-of-month and day-of-week must be "?"'],
    [
      { scheduleCron: 'rate(1 day)' },
      'scheduleCron: invalid cron expression "rate(1 day)": expected a cron(...) expression',
    ],
    [{ logRetentionDays: -1 }, 'logRetentionDays: expected one of 1, 3, 5'],
    [{ logRetentionDays: '-7' }, '(got "-7")'],
    [{ logRetentionDays: 366 }, 'logRetentionDays: expected one of'],
    [{ reportExpirationDays: -30 }, 'reportExpirationDays: expected an integer from 1 to 36500 (got -30)'],
    [{ functionTimeoutMinutes: '16' }, 'functionTimeoutMinutes: expected an integer from 1 to 15 (got "16")'],
    [{ functionTimeoutMinutes: 'ten' }, 'functionTimeoutMinutes: expected an integer from 1 to 15 (got "ten")'],
    [{ functionMemoryMb: 1.5 }, 'functionMemoryMb: expected an integer from 128 to 10240'],
    [{ scheduleEnabled: 'yes' }, 'scheduleEnabled: expected true or false (got "yes")'],
    [
      { alertEmails: 'ok@example.com,not-an-address' },
      'alertEmails[1]: expected an e-mail address (got "not-an-address")',
    ],
    [{ alertEmails: ['@example.com'] }, 'alertEmails[0]: expected an e-mail address'],
    [{ reportKmsKey: 'alias/aws/s3' }, 'reportKmsKey: expected "create" or a KMS key ARN'],
    [{ organizationsRoleArn: 'OrgRead' }, 'organizationsRoleArn: expected an IAM role ARN'],
    [{ baselineKey: '/baseline.json' }, 'baselineKey: expected an S3 object key in the report bucket'],
    [{ partitionStartDate: '2026-02-30' }, 'partitionStartDate: expected a real calendar date'],
    [{ glueDatabaseName: 'Audit-DB' }, 'glueDatabaseName: expected 1-255 lowercase letters'],
    [{ logLevel: 'VERBOSE' }, 'logLevel: expected one of DEBUG, INFO, WARN, ERROR, CRITICAL, SILENT'],
    [{ heartbeatHours: 169 }, 'heartbeatHours: expected an integer from 2 to 168'],
  ])('rejects %j naming the key', (context, expected) => {
    const issues = issuesOf(context);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toContain(expected);
  });

  it('rejects unknown keys and suggests the closest known one', () => {
    const issues = issuesOf({ scheduelCron: 'cron(0 2 * * ? *)', totallyUnrelatedSetting: 1 });
    expect(issues[0]).toMatch(
      /^scheduelCron: unknown context key\. Did you mean "scheduleCron"\? Known keys: stackName, /,
    );
    expect(issues[1]).toMatch(/^totallyUnrelatedSetting: unknown context key\. Known keys: /);
  });

  it('reports every bad key at once, in one readable message', () => {
    expect(() => parseAuditStackConfig({ logRetentionDays: -1, alertEmails: 'x', nope: 1 })).toThrow(
      /^Invalid CDK context \(set in cdk\.json "context" or with -c key=value\):\n {2}- nope: unknown context key.*\n {2}- logRetentionDays: .*\n {2}- alertEmails\[0\]: expected an e-mail address \(got "x"\)$/,
    );
  });

  it.each([
    [
      { reportTransitionIaDays: 60, reportTransitionGlacierDays: 80 },
      'reportTransitionGlacierDays: expected at least reportTransitionIaDays + 30 (90)',
    ],
    [{ reportExpirationDays: 90 }, 'reportExpirationDays: expected more than reportTransitionGlacierDays (90)'],
    [
      { redriveBaseDelayMs: 5000, redriveMaxDelayMs: 1000 },
      'redriveMaxDelayMs: expected a value not below redriveBaseDelayMs',
    ],
    [
      { functionTimeoutMinutes: 1, deadlineMarginSeconds: 60 },
      'deadlineMarginSeconds: expected less than the function timeout (60 s)',
    ],
    [
      { reportPrefix: 'audit', exclusionsKey: 'audit/latest/exclusions.json' },
      'exclusionsKey: must not be inside the report data prefixes',
    ],
  ])('rejects inconsistent combination %j', (context, expected) => {
    expect(issuesOf(context)).toEqual([expect.stringContaining(expected)]);
  });

  // These values end up inside IAM resource ARNs (object grants of the function's policy).
  describe.each(['reportPrefix', 'baselineKey', 'exclusionsKey'])('%s in an IAM resource ARN', (key) => {
    it.each(['*', '?', '$', '{', '}'])('rejects %j, naming the key and why', (character) => {
      const issues = issuesOf({ [key]: `config/a${character}b.json` });
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatch(
        new RegExp(`^${key}: must not contain "\\${character}": the value becomes part of an IAM resource ARN`),
      );
    });

    it('rejects a policy variable, listing each offending character once', () => {
      expect(issuesOf({ [key]: 'reports/${aws:username}/x' })[0]).toContain(
        `${key}: must not contain "$", "{", "}": the value becomes part of an IAM resource ARN`,
      );
    });
  });

  it.each([
    ['organizationsRoleArn', 'arn:aws:iam::111122223333:role/*'],
    ['organizationsRoleArn', 'arn:aws:iam::111122223333:role/${aws:username}'],
    ['reportKmsKey', 'arn:aws:kms:eu-west-1:111122223333:key/*'],
    // Written into the changes bus policy (principal and the forwarding rule's ARN).
    ['managementAccountId', '12345678901*'],
    ['managementAccountId', '1234567890?1'],
    ['managementAccountId', '${aws:PrincipalAccount}'],
  ])('rejects IAM pattern characters in the ARN-valued key %s', (key, value) => {
    expect(issuesOf({ [key]: value })).toEqual([expect.stringMatching(new RegExp(`^${key}: expected `))]);
  });

  it('quotes a bad value as a short, display-safe prefix', () => {
    const long = `cron(0 2 * * ? *)\u001b[2J${'x'.repeat(500)}`;
    const [issue] = issuesOf({ scheduleCron: long });
    expect(issue).toContain('\\x1b[2J');
    expect(issue).not.toContain('\u001b');
    expect(issue).not.toContain('x'.repeat(100));
    const [unknown] = issuesOf({ ['k\u202e'.padEnd(300, 'k')]: 1 });
    expect(unknown).toMatch(/^k\\u202ek+…: unknown context key/);
    expect(unknown.split(':')[0].length).toBeLessThan(60);
  });

  it('is an AuditError of kind BAD_INPUT', () => {
    try {
      parseAuditStackConfig({ heartbeatHours: 0 });
    } catch (error) {
      expect(error).toBeInstanceOf(AuditError);
      expect((error as AuditError).kind).toBe('BAD_INPUT');
      expect((error as AuditError).name).toBe('AuditContextError');
      return;
    }
    throw new Error('expected an AuditContextError');
  });

  it('documents every key, and only known keys', () => {
    expect(Object.keys(AUDIT_CONTEXT_KEY_DOCS).sort()).toEqual([...AUDIT_CONTEXT_KEYS].sort());
    for (const key of AUDIT_CONTEXT_KEYS) {
      expect(AUDIT_CONTEXT_KEY_DOCS[key].length).toBeGreaterThan(10);
    }
  });
});
