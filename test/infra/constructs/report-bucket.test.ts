import { Match, type Template } from 'aws-cdk-lib/assertions';
import { resourcesOf, resourceWithId, type BucketProperties, type KmsKeyProperties } from '../template-json';
import { logicalIdStartingWith, templateFor } from '../test-app';

/** The construct keeps its former id 'ReportStore', so logical ids still start with it. */
describe('ReportBucket', () => {
  let template: Template;
  let reportBucket: string;
  let accessLogsBucket: string;

  beforeAll(() => {
    template = templateFor({ reportPrefix: 'audit' });
    reportBucket = logicalIdStartingWith(template, 'AWS::S3::Bucket', 'ReportStoreReportBucket');
    accessLogsBucket = logicalIdStartingWith(template, 'AWS::S3::Bucket', 'ReportStoreAccessLogsBucket');
  });

  const bucket = (id: string) => resourceWithId<BucketProperties>(template, 'AWS::S3::Bucket', id);

  it('blocks public access and enforces bucket-owner object ownership on every bucket', () => {
    for (const resource of Object.values(resourcesOf<BucketProperties>(template, 'AWS::S3::Bucket'))) {
      expect(resource.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(resource.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    }
  });

  it('retains the report and access-log buckets when the stack is deleted', () => {
    for (const id of [reportBucket, accessLogsBucket]) {
      expect(bucket(id).DeletionPolicy).toBe('Retain');
      expect(bucket(id).UpdateReplacePolicy).toBe('Retain');
    }
  });

  it('encrypts the report with SSE-S3 by default and versions it', () => {
    expect(bucket(reportBucket).Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucket(reportBucket).Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(Object.keys(template.findResources('AWS::KMS::Key')).filter((id) => id.startsWith('ReportStore'))).toEqual(
      [],
    );
  });

  it('encrypts the access logs with SSE-S3, the only encryption log delivery supports', () => {
    expect(bucket(accessLogsBucket).Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
  });

  it('logs report-bucket access into the access-log bucket', () => {
    expect(bucket(reportBucket).Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: accessLogsBucket },
      LogFilePrefix: 'report-bucket/',
    });
  });

  it.each(['report', 'access-log'])('denies non-TLS and pre-TLS-1.2 requests to the %s bucket', (which) => {
    const id = which === 'report' ? reportBucket : accessLogsBucket;
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
          }),
        ]),
      },
    });
  });

  it('tiers and expires only the dated history, and expires noncurrent versions everywhere', () => {
    const tiering = {
      Status: 'Enabled',
      Transitions: [
        { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
        { StorageClass: 'GLACIER_IR', TransitionInDays: 90 },
      ],
      ExpirationInDays: 730,
    };
    expect(bucket(reportBucket).Properties.LifecycleConfiguration.Rules).toEqual([
      { Id: 'associations-history', Prefix: 'audit/associations/', ...tiering },
      { Id: 'runs-history', Prefix: 'audit/runs/', ...tiering },
      { Id: 'html-history', Prefix: 'audit/html/', ...tiering },
      // The re-check's dated records like the nightly ones; recheck/state.json, like latest/, never expires.
      { Id: 'recheck-associations-history', Prefix: 'audit/recheck/associations/', ...tiering },
      { Id: 'recheck-runs-history', Prefix: 'audit/recheck/runs/', ...tiering },
      // Run checkpoints matter only until the run's report is written.
      {
        Id: 'run-checkpoints',
        Prefix: 'audit/checkpoints/',
        Status: 'Enabled',
        ExpirationInDays: 3,
        NoncurrentVersionExpiration: { NoncurrentDays: 1 },
      },
      {
        Id: 'noncurrent-versions',
        Status: 'Enabled',
        NoncurrentVersionExpiration: { NoncurrentDays: 30 },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      },
    ]);
    expect(bucket(accessLogsBucket).Properties.LifecycleConfiguration.Rules).toEqual([
      {
        Id: 'expire-access-logs',
        Status: 'Enabled',
        ExpirationInDays: 365,
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      },
    ]);
  });

  it('takes the lifecycle days from the context', () => {
    const custom = templateFor({
      reportTransitionIaDays: 45,
      reportTransitionGlacierDays: '120',
      reportExpirationDays: 400,
      noncurrentVersionExpirationDays: 7,
      accessLogsExpirationDays: 90,
    });
    const id = logicalIdStartingWith(custom, 'AWS::S3::Bucket', 'ReportStoreReportBucket');
    const rules = resourceWithId<BucketProperties>(custom, 'AWS::S3::Bucket', id).Properties.LifecycleConfiguration
      .Rules;
    expect(rules[0]).toMatchObject({
      Prefix: 'associations/',
      Transitions: [
        { StorageClass: 'STANDARD_IA', TransitionInDays: 45 },
        { StorageClass: 'GLACIER_IR', TransitionInDays: 120 },
      ],
      ExpirationInDays: 400,
    });
    expect(rules.find((r) => r.Id === 'noncurrent-versions')?.NoncurrentVersionExpiration).toEqual({
      NoncurrentDays: 7,
    });
    const logs = logicalIdStartingWith(custom, 'AWS::S3::Bucket', 'ReportStoreAccessLogsBucket');
    expect(
      resourceWithId<BucketProperties>(custom, 'AWS::S3::Bucket', logs).Properties.LifecycleConfiguration.Rules[0]
        ?.ExpirationInDays,
    ).toBe(90);
  });

  describe('with reportKmsKey=create', () => {
    let kmsTemplate: Template;
    beforeAll(() => {
      kmsTemplate = templateFor({ reportKmsKey: 'create' });
    });

    it('creates a rotating, retained key and uses it with an S3 bucket key', () => {
      const keyId = logicalIdStartingWith(kmsTemplate, 'AWS::KMS::Key', 'ReportStoreReportKey');
      const key = resourceWithId<KmsKeyProperties>(kmsTemplate, 'AWS::KMS::Key', keyId);
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(key.DeletionPolicy).toBe('Retain');
      const id = logicalIdStartingWith(kmsTemplate, 'AWS::S3::Bucket', 'ReportStoreReportBucket');
      expect(resourceWithId<BucketProperties>(kmsTemplate, 'AWS::S3::Bucket', id).Properties.BucketEncryption).toEqual({
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] },
            },
          },
        ],
      });
    });
  });

  it('uses an existing key given by ARN without creating one', () => {
    const arn = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const imported = templateFor({ reportKmsKey: arn });
    const id = logicalIdStartingWith(imported, 'AWS::S3::Bucket', 'ReportStoreReportBucket');
    expect(resourceWithId<BucketProperties>(imported, 'AWS::S3::Bucket', id).Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: arn } },
      ],
    });
    expect(Object.keys(imported.findResources('AWS::KMS::Key')).filter((k) => k.startsWith('ReportStore'))).toEqual([]);
  });

  it('has no Object Lock unless reportObjectLockMode is set; then a default retention of that mode and days', () => {
    expect(bucket(reportBucket).Properties).not.toHaveProperty('ObjectLockEnabled');
    for (const mode of ['GOVERNANCE', 'COMPLIANCE']) {
      const locked = templateFor({ reportObjectLockMode: mode, reportObjectLockDays: '400' });
      const id = logicalIdStartingWith(locked, 'AWS::S3::Bucket', 'ReportStoreReportBucket');
      expect(resourceWithId<Record<string, unknown>>(locked, 'AWS::S3::Bucket', id).Properties).toMatchObject({
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: mode, Days: 400 } },
        },
        VersioningConfiguration: { Status: 'Enabled' },
      });
    }
    expect(() => templateFor({ reportObjectLockMode: 'governance-ish' })).toThrow(/reportObjectLockMode/);
  });
});
