import * as fs from 'node:fs';
import * as path from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { QUERIES_DIRECTORY, readNamedQueryFiles } from '../../../infra/constructs/report-catalog';
import { ASSOCIATION_COLUMNS, RUN_COLUMNS } from '../../../lambdas/audit/report/schema';
import {
  resourcesOf,
  resourceWithId,
  type BucketProperties,
  type GlueTableProperties,
  type NamedQueryProperties,
} from '../template-json';
import { logicalIdStartingWith, onlyResource, templateFor } from '../test-app';

describe('ReportCatalog', () => {
  let template: Template;
  let reportBucket: string;

  beforeAll(() => {
    template = templateFor({ reportPrefix: 'audit/', athenaBytesScannedCutoffMb: 50 });
    reportBucket = logicalIdStartingWith(template, 'AWS::S3::Bucket', 'ReportStoreReportBucket');
  });

  const tableNamed = (name: string) => {
    const table = Object.values(resourcesOf<GlueTableProperties>(template, 'AWS::Glue::Table')).find(
      (t) => t.Properties.TableInput.Name === name,
    );
    if (table === undefined) {
      throw new Error(`no Glue table ${name}`);
    }
    return table;
  };

  it('creates the Glue database with the configured name', () => {
    template.hasResourceProperties('AWS::Glue::Database', {
      CatalogId: { Ref: 'AWS::AccountId' },
      DatabaseInput: { Name: 'securityhub_config_audit' },
    });
  });

  it.each([
    ['associations', ASSOCIATION_COLUMNS],
    ['runs', RUN_COLUMNS],
  ])('generates the %s columns from the report schema, in order', (name, columns) => {
    const table = tableNamed(name);
    expect(table.Properties.DatabaseName).toBe('securityhub_config_audit');
    expect(table.Properties.TableInput.StorageDescriptor.Columns).toEqual(
      columns.map((c) => ({ Name: c.name, Type: c.type, Comment: c.comment })),
    );
  });

  it.each([
    ['associations', 'gzip', true],
    ['runs', 'none', false],
  ])('reads %s as JSON Lines through the OpenX JSON SerDe', (name, compression, compressed) => {
    const table = tableNamed(name);
    expect(table.Properties.TableInput.TableType).toBe('EXTERNAL_TABLE');
    expect(table.Properties.TableInput.StorageDescriptor).toMatchObject({
      InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      Compressed: compressed,
      SerdeInfo: {
        SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
        Parameters: { 'serialization.format': '1', 'ignore.malformed.json': 'FALSE' },
      },
      Location: { 'Fn::Join': ['', ['s3://', { Ref: reportBucket }, `/audit/${name}/`]] },
    });
    expect(table.Properties.TableInput.Parameters).toMatchObject({
      classification: 'json',
      compressionType: compression,
    });
  });

  it.each(['associations', 'runs'])('partitions %s by a string dt with date projection', (name) => {
    const table = tableNamed(name);
    expect(table.Properties.TableInput.PartitionKeys).toEqual([
      { Name: 'dt', Type: 'string', Comment: 'UTC date of the run, YYYY-MM-DD' },
    ]);
    expect(table.Properties.TableInput.Parameters).toMatchObject({
      'projection.enabled': 'true',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      'projection.dt.range': 'NOW-730DAYS,NOW',
      'projection.dt.interval': '1',
      'projection.dt.interval.unit': 'DAYS',
      'storage.location.template': { 'Fn::Join': ['', ['s3://', { Ref: reportBucket }, `/audit/${name}/dt=\${dt}/`]] },
    });
  });

  it('projects from partitionStartDate when set, and follows reportExpirationDays otherwise', () => {
    const fixed = templateFor({ partitionStartDate: '2026-03-01' });
    const relative = templateFor({ reportExpirationDays: 400 });
    for (const [t, range] of [
      [fixed, '2026-03-01,NOW'],
      [relative, 'NOW-400DAYS,NOW'],
    ] as const) {
      for (const table of Object.values(resourcesOf<GlueTableProperties>(t, 'AWS::Glue::Table'))) {
        expect(table.Properties.TableInput.Parameters['projection.dt.range']).toBe(range);
      }
    }
  });

  it('enforces the workgroup configuration: encrypted results, scan cutoff, engine 3', () => {
    const results = logicalIdStartingWith(template, 'AWS::S3::Bucket', 'ReportCatalogResultsBucket');
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'securityhub-config-audit',
      State: 'ENABLED',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        BytesScannedCutoffPerQuery: 50 * 1024 * 1024,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: results }, '/results/']] },
          ExpectedBucketOwner: { Ref: 'AWS::AccountId' },
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
        },
      },
    });
  });

  it('keeps Athena results in their own encrypted, TLS-only, logged, expiring bucket', () => {
    const results = logicalIdStartingWith(template, 'AWS::S3::Bucket', 'ReportCatalogResultsBucket');
    const logs = logicalIdStartingWith(template, 'AWS::S3::Bucket', 'ReportStoreAccessLogsBucket');
    const bucket = resourceWithId<BucketProperties>(template, 'AWS::S3::Bucket', results).Properties;
    expect(bucket.BucketEncryption?.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'AES256',
    });
    expect(bucket.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logs },
      LogFilePrefix: 'athena-results-bucket/',
    });
    expect(bucket.LifecycleConfiguration.Rules[0]).toMatchObject({ ExpirationInDays: 30 });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: results },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('encrypts Athena results with the report key when one is used', () => {
    const kms = templateFor({ reportKmsKey: 'create' });
    const keyId = logicalIdStartingWith(kms, 'AWS::KMS::Key', 'ReportStoreReportKey');
    kms.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: {
        ResultConfiguration: {
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: { 'Fn::GetAtt': [keyId, 'Arn'] } },
        },
      },
    });
  });

  it('turns every infra/queries/*.sql file into a named query in the workgroup and database', () => {
    const files = fs.readdirSync(QUERIES_DIRECTORY).filter((f) => f.endsWith('.sql'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    const workGroup = onlyResource(template, 'AWS::Athena::WorkGroup').logicalId;
    const queries = Object.values(resourcesOf<NamedQueryProperties>(template, 'AWS::Athena::NamedQuery'));
    expect(queries.map((q) => q.Properties.Name).sort()).toEqual(files.map((f) => path.basename(f, '.sql')).sort());
    for (const query of queries) {
      const sql = fs.readFileSync(path.join(QUERIES_DIRECTORY, `${query.Properties.Name}.sql`), 'utf8').trim();
      expect(query.Properties).toMatchObject({
        Database: 'securityhub_config_audit',
        WorkGroup: 'securityhub-config-audit',
        QueryString: sql,
      });
      expect(query.Properties.Description).toBe(/^--\s*(.+)$/m.exec(sql)?.[1]);
      expect(query.DependsOn).toEqual(expect.arrayContaining([workGroup]));
    }
  });

  it('reads query files in name order with the first comment as description', () => {
    const queries = readNamedQueryFiles(QUERIES_DIRECTORY);
    expect(queries.map((q) => q.name)).toEqual([...queries.map((q) => q.name)].sort());
    for (const q of queries) {
      expect(q.description.length).toBeGreaterThan(20);
      expect(q.sql).not.toMatch(/;\s*$/);
    }
  });
});
