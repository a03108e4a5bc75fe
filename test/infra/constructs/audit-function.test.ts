import * as path from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { App, Stack } from 'aws-cdk-lib';
import { AlertTopic } from '../../../infra/constructs/alert-topic';
import { AuditFunction } from '../../../infra/constructs/audit-function';
import { AUDIT_BUNDLING } from '../../../infra/constructs/audit-lambda-parts';
import { ReportBucket } from '../../../infra/constructs/report-bucket';
import { CONFIG_VARIABLES, loadConfig } from '../../../lambdas/audit/config';
import {
  resourcesOf,
  resourceWithId,
  type LambdaFunctionProperties,
  type PolicyProperties,
  type PolicyStatementJson,
} from '../template-json';
import { CDK_JSON_CONTEXT, logicalIdStartingWith, onlyResource, templateFor } from '../test-app';
import { ConfigError } from '../../../lambdas/audit/errors';
import { sdkOperationsReachable } from '../sdk-operations';

/** Exactly the env var names of plan.md (plus NODE_OPTIONS for source maps). */
const ALWAYS_SET = [
  'NODE_OPTIONS',
  'REPORT_BUCKET',
  'REPORT_PREFIX',
  'ALERT_TOPIC_ARN',
  'DEPLOYMENT_NAME',
  'MAC_KEY_ID',
  'DIGEST_MAX_TARGETS',
  'FINDINGS_ENABLED',
  'BATCH_GROUP_SIZE',
  'MAX_CONCURRENCY',
  'SECURITYHUB_REQUESTS_PER_SECOND',
  'SECURITYHUB_BURST',
  'ORGANIZATIONS_REQUESTS_PER_SECOND',
  'ORGANIZATIONS_BURST',
  'REDRIVE_MAX_ATTEMPTS',
  'REDRIVE_BASE_DELAY_MS',
  'REDRIVE_MAX_DELAY_MS',
  'DEADLINE_MARGIN_SECONDS',
  'PENDING_STALE_HOURS',
  'CHECKPOINT_INTERVAL_SECONDS',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_LOG_LEVEL',
];

const functionOf = (template: Template) =>
  onlyResource<LambdaFunctionProperties>(template, 'AWS::Lambda::Function').resource.Properties;

/** The statements of the function's own policy, by Sid. */
function statementsOf(template: Template): Record<string, PolicyStatementJson> {
  const policy = logicalIdStartingWith(template, 'AWS::IAM::Policy', 'AuditFunctionPolicy');
  const statements = resourceWithId<PolicyProperties>(template, 'AWS::IAM::Policy', policy).Properties.PolicyDocument
    .Statement;
  return Object.fromEntries(statements.map((s) => [s.Sid ?? '', s]));
}

/** Every action of `statements`, flattened. */
const actionsOf = (statements: Record<string, PolicyStatementJson>): string[] =>
  Object.values(statements).flatMap((s) => [s.Action].flat());

const objectArn = (bucket: string, suffix: string) => ({
  'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, suffix]],
});

describe('AuditFunction', () => {
  let template: Template;
  beforeAll(() => {
    template = templateFor();
  });

  it('runs the newest Node.js LTS on ARM64 with the handler export', () => {
    expect(functionOf(template)).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
    });
  });

  it('has an explicit timeout and memory, and reserved concurrency 1', () => {
    expect(functionOf(template)).toMatchObject({ Timeout: 900, MemorySize: 1024, ReservedConcurrentExecutions: 1 });
    expect(functionOf(templateFor({ functionTimeoutMinutes: '10', functionMemoryMb: 2048 }))).toMatchObject({
      Timeout: 600,
      MemorySize: 2048,
      ReservedConcurrentExecutions: 1,
    });
  });

  it('logs to its own log group with the configured retention', () => {
    const logGroup = logicalIdStartingWith(template, 'AWS::Logs::LogGroup', 'AuditFunction');
    const retentionOf = (t: Template, id: string) =>
      resourceWithId<{ RetentionInDays: number }>(t, 'AWS::Logs::LogGroup', id).Properties.RetentionInDays;
    expect(retentionOf(template, logGroup)).toBe(365);
    expect(functionOf(template).LoggingConfig).toEqual({ LogGroup: { Ref: logGroup } });
    const custom = templateFor({ logRetentionDays: 30 });
    expect(retentionOf(custom, logicalIdStartingWith(custom, 'AWS::Logs::LogGroup', 'AuditFunction'))).toBe(30);
  });

  it('sets exactly the documented environment, with the defaults', () => {
    const bucket = logicalIdStartingWith(template, 'AWS::S3::Bucket', 'ReportStoreReportBucket');
    const topic = logicalIdStartingWith(template, 'AWS::SNS::Topic', 'AlertTopic');
    const macKey = logicalIdStartingWith(template, 'AWS::KMS::Key', 'AuditFunctionMacKey');
    const env = functionOf(template).Environment.Variables;
    expect(Object.keys(env).sort()).toEqual([...ALWAYS_SET].sort());
    expect(env).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      REPORT_BUCKET: { Ref: bucket },
      REPORT_PREFIX: '',
      ALERT_TOPIC_ARN: { Ref: topic },
      DEPLOYMENT_NAME: expect.any(String) as unknown,
      MAC_KEY_ID: { 'Fn::GetAtt': [macKey, 'Arn'] },
      DIGEST_MAX_TARGETS: '20',
      FINDINGS_ENABLED: 'true',
      BATCH_GROUP_SIZE: '50',
      MAX_CONCURRENCY: '4',
      SECURITYHUB_REQUESTS_PER_SECOND: '8',
      SECURITYHUB_BURST: '10',
      ORGANIZATIONS_REQUESTS_PER_SECOND: '10',
      ORGANIZATIONS_BURST: '5',
      REDRIVE_MAX_ATTEMPTS: '5',
      REDRIVE_BASE_DELAY_MS: '1000',
      REDRIVE_MAX_DELAY_MS: '20000',
      DEADLINE_MARGIN_SECONDS: '60',
      PENDING_STALE_HOURS: '24',
      CHECKPOINT_INTERVAL_SECONDS: '60',
      POWERTOOLS_SERVICE_NAME: 'securityhub-config-audit',
      POWERTOOLS_METRICS_NAMESPACE: 'SecurityHubConfigAudit',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
  });

  it('passes every configured value through, and the Lambda config accepts the result', () => {
    const custom = templateFor({
      reportPrefix: 'audit',
      organizationsRoleArn: 'arn:aws:iam::111122223333:role/OrgRead',
      baselineKey: 'config/baseline.json',
      exclusionsKey: 'config/exclusions.json',
      digestMaxTargets: 5,
      batchGroupSize: 25,
      maxConcurrency: 2,
      securityHubRequestsPerSecond: 2.5,
      securityHubBurst: 5,
      organizationsRequestsPerSecond: 4,
      organizationsBurst: 3,
      redriveMaxAttempts: 3,
      redriveBaseDelayMs: 200,
      redriveMaxDelayMs: 5000,
      deadlineMarginSeconds: 90,
      pendingStaleHours: 12,
      serviceName: 'audit-svc',
      metricsNamespace: 'Org/Audit',
      logLevel: 'debug',
    });
    const env = functionOf(custom).Environment.Variables;
    // Every variable the Lambda reads is set, and nothing it does not read (bar Powertools and Node).
    expect(Object.keys(env).sort()).toEqual(
      [
        ...CONFIG_VARIABLES,
        'NODE_OPTIONS',
        'POWERTOOLS_SERVICE_NAME',
        'POWERTOOLS_METRICS_NAMESPACE',
        'POWERTOOLS_LOG_LEVEL',
      ].sort(),
    );
    expect(env).toMatchObject({
      REPORT_PREFIX: 'audit/',
      ORGANIZATIONS_ROLE_ARN: 'arn:aws:iam::111122223333:role/OrgRead',
      BASELINE_KEY: 'config/baseline.json',
      EXCLUSIONS_KEY: 'config/exclusions.json',
      DIGEST_MAX_TARGETS: '5',
      BATCH_GROUP_SIZE: '25',
      MAX_CONCURRENCY: '2',
      SECURITYHUB_REQUESTS_PER_SECOND: '2.5',
      SECURITYHUB_BURST: '5',
      ORGANIZATIONS_REQUESTS_PER_SECOND: '4',
      ORGANIZATIONS_BURST: '3',
      REDRIVE_MAX_ATTEMPTS: '3',
      REDRIVE_BASE_DELAY_MS: '200',
      REDRIVE_MAX_DELAY_MS: '5000',
      DEADLINE_MARGIN_SECONDS: '90',
      PENDING_STALE_HOURS: '12',
      POWERTOOLS_SERVICE_NAME: 'audit-svc',
      POWERTOOLS_METRICS_NAMESPACE: 'Org/Audit',
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
    });
    // Deploy-time tokens stand in for what CloudFormation resolves.
    const resolved = Object.fromEntries(
      Object.entries(env).map(([k, v]) => [
        k,
        typeof v === 'string'
          ? v
          : k === 'REPORT_BUCKET'
            ? 'audit-reports-111122223333'
            : k === 'MAC_KEY_ID'
              ? 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'
              : 'arn:aws:sns:eu-west-1:111122223333:alerts',
      ]),
    ) as Record<string, string>;
    expect(loadConfig(resolved)).toMatchObject({
      reportBucket: 'audit-reports-111122223333',
      reportPrefix: 'audit/',
      baselineKey: 'config/baseline.json',
      batchGroupSize: 25,
      securityHubRequestsPerSecond: 2.5,
      pendingStaleHours: 12,
    });
  });

  it('bundles with local esbuild (no Docker), minified, with source maps, SDK included', () => {
    // Unit tests skip bundling (aws:cdk:bundling-stacks = []); `npm run synth` runs esbuild.
    expect(AUDIT_BUNDLING).toEqual({
      forceDockerBundling: false,
      minify: true,
      sourceMap: true,
      sourcesContent: false,
      target: 'node24',
      format: 'cjs',
      externalModules: [],
      mainFields: ['module', 'main'],
    });
    expect(functionOf(template).Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
  });

  it.each([
    [{ baselineKey: 'config/*.json' }, /BASELINE_KEY: must not contain "\*"/],
    [{ batchGroupSize: 0 }, /BATCH_GROUP_SIZE: expected an integer from 1 to 1000/],
    [{ organizationsRoleArn: 'OrgRead' }, /ORGANIZATIONS_ROLE_ARN: expected an IAM role ARN/],
  ])('used directly, rejects settings the Lambda would reject (%j)', (settings, message) => {
    const create = () => {
      const stack = new Stack(new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } }), 'Direct');
      return new AuditFunction(stack, 'AuditFunction', {
        reportBucket: new ReportBucket(stack, 'ReportBucket'),
        alertTopic: new AlertTopic(stack, 'AlertTopic'),
        settings,
      });
    };
    expect(create).toThrow(ConfigError);
    expect(create).toThrow(message);
  });

  describe('IAM', () => {
    it('uses its own role with no managed policies', () => {
      const roleId = logicalIdStartingWith(template, 'AWS::IAM::Role', 'AuditFunctionRole');
      const role = resourceWithId<{
        ManagedPolicyArns?: unknown;
        AssumeRolePolicyDocument: PolicyProperties['PolicyDocument'];
      }>(template, 'AWS::IAM::Role', roleId).Properties;
      expect(role.ManagedPolicyArns).toBeUndefined();
      expect(role.AssumeRolePolicyDocument.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ]);
    });

    it('grants exactly the statements the audit needs', () => {
      const bucket = logicalIdStartingWith(template, 'AWS::S3::Bucket', 'ReportStoreReportBucket');
      const topic = logicalIdStartingWith(template, 'AWS::SNS::Topic', 'AlertTopic');
      const topicKey = logicalIdStartingWith(template, 'AWS::KMS::Key', 'AlertTopicKey');
      const logGroup = logicalIdStartingWith(template, 'AWS::Logs::LogGroup', 'AuditFunction');
      expect(statementsOf(template)).toEqual({
        WriteOwnLogs: {
          Sid: 'WriteOwnLogs',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [logGroup, 'Arn'] },
        },
        ReadSecurityHubAssociations: {
          Sid: 'ReadSecurityHubAssociations',
          Effect: 'Allow',
          Action: ['securityhub:BatchGetConfigurationPolicyAssociations', 'securityhub:ListConfigurationPolicies'],
          Resource: '*',
        },
        ReadWriteReport: {
          Sid: 'ReadWriteReport',
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:PutObject'],
          Resource: [
            objectArn(bucket, '/associations/*'),
            objectArn(bucket, '/checkpoints/*'),
            objectArn(bucket, '/html/*'),
            objectArn(bucket, '/latest/*'),
            objectArn(bucket, '/runs/*'),
          ],
        },
        ListReportBucket: {
          Sid: 'ListReportBucket',
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: { 'Fn::GetAtt': [bucket, 'Arn'] },
        },
        PublishDigest: { Sid: 'PublishDigest', Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: topic } },
        UseAlertTopicKey: {
          Sid: 'UseAlertTopicKey',
          Effect: 'Allow',
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
          Resource: { 'Fn::GetAtt': [topicKey, 'Arn'] },
        },
        ImportFindings: {
          Sid: 'ImportFindings',
          Effect: 'Allow',
          Action: 'securityhub:BatchImportFindings',
          Resource: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':securityhub:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                ':product/',
                { Ref: 'AWS::AccountId' },
                '/default',
              ],
            ],
          },
        },
        ReadOwnFindings: {
          Sid: 'ReadOwnFindings',
          Effect: 'Allow',
          Action: 'securityhub:GetFindings',
          Resource: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':securityhub:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                ':hub/default',
              ],
            ],
          },
        },
        ListOrganizationRoots: {
          Sid: 'ListOrganizationRoots',
          Effect: 'Allow',
          Action: 'organizations:ListRoots',
          Resource: '*',
        },
        WalkOrganizationTree: {
          Sid: 'WalkOrganizationTree',
          Effect: 'Allow',
          Action: ['organizations:ListAccountsForParent', 'organizations:ListOrganizationalUnitsForParent'],
          Resource: [
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':organizations::*:ou/o-*/ou-*']] },
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':organizations::*:root/o-*/r-*']] },
          ],
        },
      });
    });

    it('grants exactly the Organizations and Security Hub operations the Lambda sources call', () => {
      const called = sdkOperationsReachable(path.join(__dirname, '..', '..', '..', 'lambdas', 'audit', 'handler.ts'));
      const granted = actionsOf(statementsOf(template))
        .filter((a) => /^(organizations|securityhub):/.test(a))
        .sort();
      expect(called).toEqual(
        expect.arrayContaining([
          'organizations:ListRoots',
          'securityhub:BatchGetConfigurationPolicyAssociations',
          'securityhub:GetFindings',
        ]),
      );
      expect(granted).toEqual(called);
    });

    it('has no default policy: the state machine invokes it synchronously, so no failure destination', () => {
      expect(
        Object.keys(template.findResources('AWS::IAM::Policy')).filter((id) =>
          id.startsWith('AuditFunctionRoleDefaultPolicy'),
        ),
      ).toEqual([]);
    });

    it('grants no wildcard action anywhere', () => {
      for (const policy of Object.values(resourcesOf<PolicyProperties>(template, 'AWS::IAM::Policy'))) {
        for (const statement of policy.Properties.PolicyDocument.Statement) {
          for (const action of [statement.Action].flat()) {
            expect(action).not.toContain('*');
          }
        }
      }
    });

    it('neither publishes findings nor may import or read them when publishFindings is false', () => {
      const off = templateFor({ publishFindings: false });
      expect(statementsOf(off)).not.toHaveProperty('ImportFindings');
      expect(statementsOf(off)).not.toHaveProperty('ReadOwnFindings');
      const fn = functionOf(off) as { Environment: { Variables: Record<string, string> } };
      expect(fn.Environment.Variables.FINDINGS_ENABLED).toBe('false');
      expect(
        loadConfig({ REPORT_BUCKET: 'b-reports', MAC_KEY_ID: 'alias/audit-mac', FINDINGS_ENABLED: 'false' })
          .publishFindings,
      ).toBe(false);
    });

    it('assumes organizationsRoleArn instead of calling Organizations itself, when set', () => {
      const statements = statementsOf(templateFor({ organizationsRoleArn: 'arn:aws:iam::111122223333:role/OrgRead' }));
      expect(statements.AssumeOrganizationsRole).toEqual({
        Sid: 'AssumeOrganizationsRole',
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Resource: 'arn:aws:iam::111122223333:role/OrgRead',
      });
      expect(actionsOf(statements).filter((a) => a.startsWith('organizations:'))).toEqual([]);
    });

    it('reads exactly the baseline and exclusion keys, and uses the report key, when configured', () => {
      const custom = templateFor({
        baselineKey: 'config/baseline.json',
        exclusionsKey: 'config/exclusions.json',
        reportKmsKey: 'create',
      });
      const bucket = logicalIdStartingWith(custom, 'AWS::S3::Bucket', 'ReportStoreReportBucket');
      const key = logicalIdStartingWith(custom, 'AWS::KMS::Key', 'ReportStoreReportKey');
      const statements = statementsOf(custom);
      expect(statements.ReadAuditDocuments).toEqual({
        Sid: 'ReadAuditDocuments',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: [objectArn(bucket, '/config/baseline.json'), objectArn(bucket, '/config/exclusions.json')],
      });
      expect(statements.UseReportKey).toEqual({
        Sid: 'UseReportKey',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::GetAtt': [key, 'Arn'] },
      });
    });

    it('creates the function only after its policy', () => {
      const policy = logicalIdStartingWith(template, 'AWS::IAM::Policy', 'AuditFunctionPolicy');
      expect(onlyResource(template, 'AWS::Lambda::Function').resource.DependsOn).toEqual(
        expect.arrayContaining([policy]),
      );
      template.hasResource('AWS::Lambda::Function', { DependsOn: Match.arrayWith([policy]) });
    });
  });
});
