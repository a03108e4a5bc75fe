import * as fs from 'node:fs';
import * as path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ASSOCIATION_COLUMNS, REPORT_LAYOUT, RUN_COLUMNS, type ReportColumn } from '../../lambdas/audit/report/schema';
import { DEFAULTS } from '../config/defaults';
import type { ReportBucket } from './report-bucket';
import { secureBucketProps } from './secure-bucket-props';

/**
 * Directory of the named queries' SQL files.
 * @internal Exported for its tests.
 */
export const QUERIES_DIRECTORY = path.join(__dirname, '..', 'queries');

/**
 * Type of the `dt` partition column. Athena's `date` projection type only tells Athena
 * how to format values into S3 locations; the column itself stays a string in every
 * documented example, and string `dt` compares the same way in Athena and DuckDB.
 * Queries compare it with 'YYYY-MM-DD' string literals.
 */
const PARTITION_COLUMN_TYPE = 'string';

/** Properties of {@link ReportCatalog}. */
export interface ReportCatalogProps {
  /** The bucket and prefix the tables read, and the access-log bucket for the results bucket. */
  readonly reportBucket: ReportBucket;
  /**
   * Glue database name (Athena wants lowercase letters, digits and `_`).
   * @default 'securityhub_config_audit'
   */
  readonly databaseName?: string;
  /**
   * Athena workgroup name.
   * @default 'securityhub-config-audit'
   */
  readonly workGroupName?: string;
  /**
   * Per-query scan limit of the workgroup, in MiB (Athena's minimum is 10 MB).
   * @default 1024
   */
  readonly bytesScannedCutoffMb?: number;
  /**
   * First value of the projected `dt` range: `YYYY-MM-DD` or a relative
   * `NOW-<n>DAYS`. Relative keeps the template stable across redeploys and
   * never hides data that still exists when it matches the report expiration.
   * @default 'NOW-730DAYS' (the default report expiration)
   */
  readonly partitionRangeStart?: string;
  /**
   * How long Athena query results are kept.
   * @default Duration.days(30)
   */
  readonly resultsExpireAfter?: Duration;
  /**
   * Directory whose `*.sql` files become named queries (file name = query name,
   * first `--` comment line = description).
   * @default QUERIES_DIRECTORY (infra/queries)
   */
  readonly queriesDirectory?: string;
}

/**
 * A SQL file turned into a named query.
 * @internal Exported for its tests.
 */
export interface NamedQueryFile {
  readonly name: string;
  readonly description: string;
  readonly sql: string;
}

/**
 * Reads `*.sql` files in file-name order.
 * @internal Exported for its tests.
 */
export function readNamedQueryFiles(directory: string): NamedQueryFile[] {
  return fs
    .readdirSync(directory)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => {
      const sql = fs.readFileSync(path.join(directory, file), 'utf8').trim();
      const firstComment = /^--\s*(.+)$/m.exec(sql)?.[1]?.trim();
      return { name: path.basename(file, '.sql'), description: firstComment ?? path.basename(file, '.sql'), sql };
    });
}

/** One table of {@link ReportCatalog.addJsonTable}. */
export interface JsonTableOptions {
  /** Directory under the report prefix, without slashes at either end (`associations`, `recheck/associations`). */
  readonly dir: string;
  /**
   * Table name (Athena: lowercase letters, digits, `_`).
   * @default dir
   */
  readonly name?: string;
  /** The columns, from the report schema (lambdas/audit/report/schema.ts). */
  readonly columns: readonly ReportColumn[];
  /** Whether the objects are gzip-compressed JSON lines. */
  readonly gzip: boolean;
  readonly description: string;
}

/** Glue columns generated from the report schema, never typed twice. */
function glueColumns(columns: readonly ReportColumn[]): glue.CfnTable.ColumnProperty[] {
  return columns.map((c) => ({ name: c.name, type: c.type, comment: c.comment }));
}

/**
 * Glue database, the `associations` and `runs` tables over the report, an Athena
 * workgroup with its own encrypted results bucket, and the named queries.
 *
 * Partition projection computes `dt` partitions from table properties, so nothing
 * (no crawler, no MSCK REPAIR) has to run after each nightly report.
 */
export class ReportCatalog extends Construct {
  readonly database: glue.CfnDatabase;
  readonly databaseName: string;
  readonly associationsTable: glue.CfnTable;
  readonly runsTable: glue.CfnTable;
  readonly workGroup: athena.CfnWorkGroup;
  readonly workGroupName: string;
  readonly resultsBucket: s3.Bucket;
  readonly namedQueries: readonly athena.CfnNamedQuery[];
  /** Names of {@link namedQueries}, in file order. */
  readonly queryNames: readonly string[];
  private readonly store: ReportBucket;
  private readonly partitionRangeStart: string;

  constructor(scope: Construct, id: string, props: ReportCatalogProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const store = props.reportBucket;
    this.databaseName = props.databaseName ?? DEFAULTS.glueDatabaseName;
    this.workGroupName = props.workGroupName ?? DEFAULTS.athenaWorkGroupName;
    const rangeStart = props.partitionRangeStart ?? `NOW-${DEFAULTS.reportExpirationDays}DAYS`;

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: stack.account,
      databaseInput: {
        name: this.databaseName,
        description: 'Security Hub central configuration audit reports (see the named queries in the Athena workgroup)',
      },
    });

    this.store = store;
    this.partitionRangeStart = rangeStart;
    this.associationsTable = this.addJsonTable('AssociationsTable', {
      dir: REPORT_LAYOUT.associationsDir,
      columns: ASSOCIATION_COLUMNS,
      gzip: true,
      description: 'One row per root, OU and account per audit run',
    });
    this.runsTable = this.addJsonTable('RunsTable', {
      dir: REPORT_LAYOUT.runsDir,
      columns: RUN_COLUMNS,
      gzip: false,
      description: 'One row per audit run',
    });

    this.resultsBucket = new s3.Bucket(this, 'ResultsBucket', {
      // Results copy report rows, so they get the report's encryption.
      ...secureBucketProps(store.encryptionKey),
      serverAccessLogsBucket: store.accessLogsBucket,
      serverAccessLogsPrefix: 'athena-results-bucket/',
      lifecycleRules: [
        {
          id: 'expire-query-results',
          expiration: props.resultsExpireAfter ?? Duration.days(DEFAULTS.athenaResultsExpirationDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });

    const mib = props.bytesScannedCutoffMb ?? DEFAULTS.athenaBytesScannedCutoffMb;
    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.workGroupName,
      description: 'Queries over the Security Hub configuration audit report',
      state: 'ENABLED',
      // Lets `cdk destroy` remove the workgroup even after people saved queries in it.
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        // Clients cannot override the results location, its encryption or the scan limit.
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: mib * 1024 * 1024,
        requesterPaysEnabled: false,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucketName}/results/`,
          expectedBucketOwner: stack.account,
          encryptionConfiguration: store.encryptionKey
            ? { encryptionOption: 'SSE_KMS', kmsKey: store.encryptionKey.keyArn }
            : { encryptionOption: 'SSE_S3' },
        },
      },
    });

    const queries = readNamedQueryFiles(props.queriesDirectory ?? QUERIES_DIRECTORY);
    this.queryNames = queries.map((query) => query.name);
    this.namedQueries = queries.map((query) => {
      const named = new athena.CfnNamedQuery(this, `Query-${query.name}`, {
        name: query.name,
        description: query.description.slice(0, 1024),
        database: this.databaseName,
        workGroup: this.workGroupName,
        queryString: query.sql,
      });
      named.node.addDependency(this.workGroup);
      named.node.addDependency(this.database);
      return named;
    });
  }

  /**
   * A table of JSON objects under `<prefix><dir>/dt=YYYY-MM-DD/`, partitioned by `dt` with
   * the catalog's projection, so nothing (no crawler, no MSCK REPAIR) runs after a write.
   * Other constructs add their tables here (the re-check's), sharing the row format.
   */
  addJsonTable(id: string, table: JsonTableOptions): glue.CfnTable {
    const stack = Stack.of(this);
    const dt = REPORT_LAYOUT.partitionKey;
    const location = this.store.dataLocation(table.dir);
    const gzip = table.gzip;
    const cfnTable = new glue.CfnTable(this, id, {
      catalogId: stack.account,
      databaseName: this.databaseName,
      tableInput: {
        name: table.name ?? table.dir,
        description: table.description,
        tableType: 'EXTERNAL_TABLE',
        partitionKeys: [{ name: dt, type: PARTITION_COLUMN_TYPE, comment: 'UTC date of the run, YYYY-MM-DD' }],
        parameters: {
          EXTERNAL: 'TRUE',
          classification: 'json',
          compressionType: gzip ? 'gzip' : 'none',
          'projection.enabled': 'true',
          [`projection.${dt}.type`]: 'date',
          [`projection.${dt}.format`]: 'yyyy-MM-dd',
          [`projection.${dt}.range`]: `${this.partitionRangeStart},NOW`,
          [`projection.${dt}.interval`]: '1',
          [`projection.${dt}.interval.unit`]: 'DAYS',
          'storage.location.template': `${location}${dt}=\${${dt}}/`,
        },
        storageDescriptor: {
          columns: glueColumns(table.columns),
          location,
          // TextInputFormat reads gzip by the .gz extension and plain JSON alike.
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          compressed: gzip,
          serdeInfo: {
            serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
            // A malformed row should fail the query, not silently vanish from an audit.
            parameters: { 'serialization.format': '1', 'ignore.malformed.json': 'FALSE' },
          },
        },
      },
    });
    cfnTable.node.addDependency(this.database);
    return cfnTable;
  }
}
