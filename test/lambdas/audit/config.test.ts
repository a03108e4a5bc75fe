import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  DEFAULT_METRICS_NAMESPACE,
  DEFAULT_SERVICE_NAME,
  loadConfig,
  loadTuning,
  telemetryOptions,
} from '../../../lambdas/audit/config';
import { AuditError, isPermanent, ConfigError } from '../../../lambdas/audit/errors';
import { TUNING_SETTINGS } from '../../../lambdas/audit/settings';
import { DEFAULT_TUNING } from '../../support/default-tuning';

const MAC_KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const minimal = { REPORT_BUCKET: 'audit-reports-123456789012', MAC_KEY_ID };

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(minimal);
    expect(config).toEqual({
      ...DEFAULT_TUNING,
      reportBucket: 'audit-reports-123456789012',
      reportPrefix: '',
      organizationsRoleArn: undefined,
      baselineKey: undefined,
      exclusionsKey: undefined,
      alertTopicArn: undefined,
      digestMaxTargets: 20,
      publishFindings: true,
      checkpointIntervalSeconds: 60,
      macKeyId: MAC_KEY_ID,
    });
  });

  it('turns findings off with FINDINGS_ENABLED=false, and accepts nothing but true or false', () => {
    expect(loadConfig({ ...minimal, FINDINGS_ENABLED: 'false' }).publishFindings).toBe(false);
    expect(loadConfig({ ...minimal, FINDINGS_ENABLED: 'true' }).publishFindings).toBe(true);
    expect(loadConfig({ ...minimal, FINDINGS_ENABLED: '' }).publishFindings).toBe(true);
    expect(() => loadConfig({ ...minimal, FINDINGS_ENABLED: 'no' })).toThrow(
      /FINDINGS_ENABLED: expected true or false/,
    );
  });

  it('reads every variable', () => {
    const config = loadConfig({
      REPORT_BUCKET: 'b-reports',
      MAC_KEY_ID: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      REPORT_PREFIX: 'audit',
      ORGANIZATIONS_ROLE_ARN: 'arn:aws:iam::111122223333:role/OrgRead',
      BASELINE_KEY: 'config/baseline.json',
      EXCLUSIONS_KEY: 'config/exclusions.json',
      ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:audit-alerts',
      DIGEST_MAX_TARGETS: '5',
      BATCH_GROUP_SIZE: '25',
      MAX_CONCURRENCY: '2',
      SECURITYHUB_REQUESTS_PER_SECOND: '2.5',
      SECURITYHUB_BURST: '5',
      REDRIVE_MAX_ATTEMPTS: '3',
      REDRIVE_BASE_DELAY_MS: '200',
      REDRIVE_MAX_DELAY_MS: '5000',
      DEADLINE_MARGIN_SECONDS: '90',
      PENDING_STALE_HOURS: '12',
    });
    expect(config).toMatchObject({
      reportPrefix: 'audit/',
      organizationsRoleArn: 'arn:aws:iam::111122223333:role/OrgRead',
      baselineKey: 'config/baseline.json',
      digestMaxTargets: 5,
      batchGroupSize: 25,
      maxConcurrency: 2,
      securityHubRequestsPerSecond: 2.5,
      securityHubBurst: 5,
      redriveMaxAttempts: 3,
      redriveBaseDelayMs: 200,
      redriveMaxDelayMs: 5000,
      deadlineMarginSeconds: 90,
      pendingStaleHours: 12,
    });
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ ...minimal, ORGANIZATIONS_ROLE_ARN: '', BATCH_GROUP_SIZE: ' ' }).batchGroupSize).toBe(50);
  });

  it.each([
    [{}, /REPORT_BUCKET: required/],
    [{ ...minimal, BATCH_GROUP_SIZE: 'ten' }, /BATCH_GROUP_SIZE: expected an integer from 1 to 1000/],
    [{ ...minimal, BATCH_GROUP_SIZE: '0' }, /BATCH_GROUP_SIZE: expected an integer from 1 to 1000/],
    [{ ...minimal, MAX_CONCURRENCY: '2.5' }, /MAX_CONCURRENCY: expected an integer/],
    [{ ...minimal, PENDING_STALE_HOURS: '-1' }, /PENDING_STALE_HOURS: expected a number/],
    [{ ...minimal, ORGANIZATIONS_ROLE_ARN: 'OrgRead' }, /ORGANIZATIONS_ROLE_ARN: expected an IAM role ARN/],
    [
      { ...minimal, ALERT_TOPIC_ARN: 'arn:aws:sqs:eu-west-1:111122223333:q' },
      /ALERT_TOPIC_ARN: expected an SNS topic ARN/,
    ],
    [{ REPORT_BUCKET: 'Not_A_Bucket', MAC_KEY_ID }, /REPORT_BUCKET: expected an S3 bucket name/],
    [{ REPORT_BUCKET: 'b-reports' }, /MAC_KEY_ID: required/],
    [{ ...minimal, MAC_KEY_ID: 'my key\n' }, /MAC_KEY_ID: expected a KMS key id/],
    [{ ...minimal, MAC_KEY_ID: 'arn:aws:kms:eu-west-1:1:key/x' }, /MAC_KEY_ID: expected a KMS key id/],
    [{ ...minimal, REPORT_PREFIX: '/abs' }, /REPORT_PREFIX: must not start with "\/"/],
    [{ ...minimal, REDRIVE_BASE_DELAY_MS: '5000', REDRIVE_MAX_DELAY_MS: '100' }, /REDRIVE_MAX_DELAY_MS/],
  ])('rejects %j naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('names every bad variable at once', () => {
    expect(() => loadConfig({ BATCH_GROUP_SIZE: 'x' })).toThrow(
      /REPORT_BUCKET.*BATCH_GROUP_SIZE|BATCH_GROUP_SIZE.*REPORT_BUCKET/,
    );
  });
});

describe('ConfigError', () => {
  it('is a permanent AuditError of kind BAD_INPUT, so Lambda does not retry a misconfigured run', () => {
    let caught: unknown;
    try {
      loadConfig({});
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect(caught).toBeInstanceOf(AuditError);
    expect((caught as AuditError).kind).toBe('BAD_INPUT');
    expect((caught as AuditError).name).toBe('ConfigError');
    expect(isPermanent(caught)).toBe(true);
  });

  it('names the variable but never echoes the bad value', () => {
    const bad = `\u001b[2J${'x'.repeat(500)}`;
    for (const env of [
      { ...minimal, BATCH_GROUP_SIZE: bad },
      { ...minimal, BASELINE_KEY: `/${bad}` },
      { ...minimal, ORGANIZATIONS_ROLE_ARN: bad },
      { REPORT_BUCKET: bad },
    ]) {
      expect(() => loadConfig(env)).toThrow(/^Invalid configuration: [A-Z_]+: /);
      let message = '';
      try {
        loadConfig(env);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).not.toContain('xxxx');
      expect(message).not.toContain('\u001b');
    }
  });
});

describe('loadTuning', () => {
  it('needs no bucket', () => {
    expect(loadTuning({})).toEqual(DEFAULT_TUNING);
  });

  it('defaults to the registry and reads each registry variable', () => {
    expect(DEFAULT_TUNING).toEqual(
      Object.fromEntries(Object.entries(TUNING_SETTINGS).map(([key, setting]) => [key, setting.default])),
    );
    const env = Object.fromEntries(Object.values(TUNING_SETTINGS).map((s) => [s.env, String(s.max)]));
    expect(loadTuning(env)).toEqual(
      Object.fromEntries(Object.entries(TUNING_SETTINGS).map(([key, setting]) => [key, setting.max])),
    );
  });

  it('rejects a backoff ceiling below its base', () => {
    expect(() => loadTuning({ REDRIVE_BASE_DELAY_MS: '5000', REDRIVE_MAX_DELAY_MS: '100' })).toThrow(
      'REDRIVE_MAX_DELAY_MS: expected a value not below REDRIVE_BASE_DELAY_MS',
    );
  });
});

describe('telemetryOptions', () => {
  it('uses the documented service name and namespace when the variables are unset or blank', () => {
    expect(telemetryOptions({})).toEqual({ serviceName: DEFAULT_SERVICE_NAME, namespace: DEFAULT_METRICS_NAMESPACE });
    expect(telemetryOptions({ POWERTOOLS_SERVICE_NAME: ' ', POWERTOOLS_METRICS_NAMESPACE: '' })).toEqual({
      serviceName: 'securityhub-config-audit',
      namespace: 'SecurityHubConfigAudit',
    });
    expect(telemetryOptions({ POWERTOOLS_SERVICE_NAME: 'svc', POWERTOOLS_METRICS_NAMESPACE: 'Ns' })).toEqual({
      serviceName: 'svc',
      namespace: 'Ns',
    });
  });

  it('gives the metrics a service dimension of the documented default, not service_undefined', () => {
    const saved = process.env.POWERTOOLS_SERVICE_NAME;
    delete process.env.POWERTOOLS_SERVICE_NAME;
    try {
      const metrics = new Metrics(telemetryOptions({}));
      metrics.addMetric('Runs', MetricUnit.Count, 1);
      const emf = metrics.serializeMetrics() as unknown as Record<string, unknown>;
      expect(emf.service).toBe('securityhub-config-audit');
    } finally {
      if (saved !== undefined) process.env.POWERTOOLS_SERVICE_NAME = saved;
    }
  });
});
