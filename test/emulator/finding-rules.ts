/**
 * The rules a finding sent to BatchImportFindings must meet, each beside its source:
 * - "model": the Security Hub service model the SDKs are generated from (botocore
 *   `securityhub/2018-10-26/service-2.json`, the same shapes as @aws-sdk/client-securityhub):
 *   required members, enums, list and string bounds.
 * - "API Reference": https://docs.aws.amazon.com/securityhub/1.0/APIReference/ (the
 *   AwsSecurityFinding data type, Timestamps).
 * - "User Guide": https://docs.aws.amazon.com/securityhub/latest/userguide/ (ASFF pages,
 *   "BatchImportFindings for finding providers").
 *
 * Assumed where AWS does not say: a finding breaking a rule fails alone in FailedFindings
 * with ErrorCode `InvalidInput`, and the first problem found is the one reported.
 */

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** model: enum RecordState. */
export const RECORD_STATES = ['ACTIVE', 'ARCHIVED'] as const;
/** model: enum ComplianceStatus. */
export const COMPLIANCE_STATUSES = ['PASSED', 'WARNING', 'FAILED', 'NOT_AVAILABLE'] as const;
/** model: enum SeverityLabel (Severity.Label and FindingProviderSeverity.Label). */
export const SEVERITY_LABELS = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
/** model: enum Partition (Resource.Partition). */
export const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'] as const;
/** model: enum WorkflowStatus. */
export const WORKFLOW_STATUSES = ['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED'] as const;
/** model: enum VerificationState. */
export const VERIFICATION_STATES = ['UNKNOWN', 'TRUE_POSITIVE', 'FALSE_POSITIVE', 'BENIGN_POSITIVE'] as const;
/**
 * model / API Reference, AwsSecurityFinding.Types: "One or more finding types in the format
 * of namespace/category/classifier ... Valid namespace values are: Software and
 * Configuration Checks | TTPs | Effects | Unusual Behaviors | Sensitive Data Identifications".
 */
export const TYPE_NAMESPACES = [
  'Software and Configuration Checks',
  'TTPs',
  'Effects',
  'Unusual Behaviors',
  'Sensitive Data Identifications',
] as const;

/** model: AwsSecurityFinding's required members (all NonEmptyString but Resources). */
const REQUIRED_STRINGS = [
  'SchemaVersion',
  'Id',
  'ProductArn',
  'GeneratorId',
  'AwsAccountId',
  'CreatedAt',
  'UpdatedAt',
  'Title',
  'Description',
] as const;
/** API Reference, AwsSecurityFinding: "Length Constraints: ... Maximum length of" each. */
const MAX_LENGTHS: Readonly<Record<string, number>> = { Id: 512, GeneratorId: 512, Title: 256, Description: 1024 };
/** API Reference, AwsSecurityFinding.SchemaVersion: "The value is 2018-10-08". */
const SCHEMA_VERSION = '2018-10-08';
/**
 * API Reference, Timestamps: `YYYY-MM-DDTHH:MM:SSZ`, up to nine fraction digits, or an
 * offset `+HH:MM` / `-HHMM` instead of Z.
 */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}(:?\d{2})?)$/;
const TIMESTAMP_FIELDS = ['CreatedAt', 'UpdatedAt', 'FirstObservedAt', 'LastObservedAt'] as const;
/**
 * A timestamp as nanoseconds since the epoch, so that comparisons keep the nine fraction
 * digits Timestamps allows (Date.parse keeps three). `null` when it does not parse.
 */
export function instantNanos(timestamp: string): bigint | null {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)$/.exec(timestamp);
  const ms = match ? Date.parse(`${match[1]}${match[3]}`) : Number.NaN;
  if (!match || Number.isNaN(ms)) return null;
  return BigInt(ms) * 1_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}

/** User Guide / API Reference, BatchImportFindings: "The maximum allowed size for a finding is 240 Kb." */
export const MAX_FINDING_BYTES = 240 * 1024;
/** The account's own default product: `product/<account>/default` (User Guide, BatchImportFindings prerequisites). */
const PRODUCT_ARN = /^arn:aws[a-z-]*:securityhub:[a-z0-9-]+:(\d{12}):product\/(\d{12})\/default$/;
/** model: NonEmptyString, pattern `.*\S.*`. */
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && /\S/.test(v);

function enumProblem(name: string, value: unknown, allowed: readonly string[]): string | null {
  return value === undefined || allowed.includes(value as string)
    ? null
    : `${name} must be one of ${allowed.join(', ')}`;
}

/**
 * A FieldMap's bounds. API Reference, AwsSecurityFinding: ProductFields "Can contain up to
 * 50 key-value pairs ... the key can contain up to 128 characters, and the value can
 * contain up to 2048 characters"; UserDefinedFields the same with values up to 1024.
 */
function fieldMapProblem(name: string, map: unknown, maxValue: number): string | null {
  if (map === undefined) return null;
  if (!isObject(map)) return `${name} must be a map of strings`;
  const entries = Object.entries(map);
  if (entries.length > 50) return `${name} has more than 50 pairs`;
  for (const [key, value] of entries) {
    if (!nonEmpty(key) || key.length > 128) return `${name} has a key that is empty or longer than 128 characters`;
    if (!nonEmpty(value) || value.length > maxValue)
      return `${name}.${key.slice(0, 40)} is empty or longer than ${maxValue} characters`;
  }
  return null;
}

/** Types: at most 50 (model TypeList via API Reference "Maximum number of 50 items"), each namespace[/category[/classifier]]. */
function typesProblem(name: string, types: unknown): string | null {
  if (types === undefined) return null;
  if (!Array.isArray(types) || types.length === 0 || types.length > 50) return `${name} needs 1 to 50 types`;
  for (const type of types) {
    const parts = typeof type === 'string' ? type.split('/') : [];
    if (parts.length < 1 || parts.length > 3 || !parts.every(nonEmpty))
      return `${name} holds a type not in the form namespace/category/classifier`;
    if (!(TYPE_NAMESPACES as readonly string[]).includes(parts[0]))
      return `${name} holds a type whose namespace is not one of ${TYPE_NAMESPACES.join(', ')}`;
  }
  return null;
}

/** Required members, schema version, lengths, timestamps and the product ARN. */
function envelopeProblem(f: Json): string | null {
  for (const key of REQUIRED_STRINGS) if (!nonEmpty(f[key])) return `${key} is required`;
  if (f.SchemaVersion !== SCHEMA_VERSION) return `SchemaVersion must be ${SCHEMA_VERSION}`;
  for (const [key, max] of Object.entries(MAX_LENGTHS)) {
    if ((f[key] as string).length > max) return `${key} is longer than ${max} characters`;
  }
  for (const key of TIMESTAMP_FIELDS) {
    const value = f[key];
    if (value !== undefined && (typeof value !== 'string' || !TIMESTAMP.test(value) || Number.isNaN(Date.parse(value))))
      return `${key} is not a timestamp in a format Security Hub accepts`;
  }
  const arn = PRODUCT_ARN.exec(f.ProductArn as string);
  // User Guide, BatchImportFindings prerequisites: the caller's account must match AwsAccountId.
  if (!arn || arn[1] !== arn[2] || arn[1] !== f.AwsAccountId) {
    return "ProductArn must be the calling account's own default product, for AwsAccountId";
  }
  return null;
}

/** Resources: model ResourceList "Minimum number of 1 item. Maximum number of 32 items"; Type and Id required. */
function resourcesProblem(resources: unknown): string | null {
  if (!Array.isArray(resources) || resources.length === 0 || resources.length > 32)
    return 'Resources needs 1 to 32 items';
  for (const r of resources) {
    if (!isObject(r) || !nonEmpty(r.Type) || !nonEmpty(r.Id)) return 'every resource needs Type and Id';
    const partition = enumProblem('Resources[].Partition', r.Partition, PARTITIONS);
    if (partition) return partition;
  }
  return null;
}

/** Severity and Types (top level or FindingProviderFields), and the enums of the finding. */
function classificationProblem(f: Json): string | null {
  const provider = isObject(f.FindingProviderFields) ? f.FindingProviderFields : {};
  // User Guide, "Required top-level ASFF attributes": Severity and Types, given either way.
  if (!isObject(f.Severity) && !isObject(provider.Severity))
    return 'Severity or FindingProviderFields.Severity is required';
  if (f.Types === undefined && provider.Types === undefined) return 'Types or FindingProviderFields.Types is required';
  const severity = (s: unknown) => (isObject(s) ? s.Label : undefined);
  return (
    enumProblem('Severity.Label', severity(f.Severity), SEVERITY_LABELS) ??
    enumProblem('FindingProviderFields.Severity.Label', severity(provider.Severity), SEVERITY_LABELS) ??
    typesProblem('Types', f.Types) ??
    typesProblem('FindingProviderFields.Types', provider.Types) ??
    enumProblem('RecordState', f.RecordState, RECORD_STATES) ??
    enumProblem('Compliance.Status', isObject(f.Compliance) ? f.Compliance.Status : undefined, COMPLIANCE_STATUSES) ??
    enumProblem('Workflow.Status', isObject(f.Workflow) ? f.Workflow.Status : undefined, WORKFLOW_STATUSES) ??
    enumProblem('VerificationState', f.VerificationState, VERIFICATION_STATES)
  );
}

/** Why a finding is refused, or `null` when it is a valid provider finding. */
export function findingProblem(f: unknown): string | null {
  if (!isObject(f)) return 'a finding must be an object';
  const text =
    isObject(f.Remediation) && isObject(f.Remediation.Recommendation) ? f.Remediation.Recommendation.Text : undefined;
  return (
    envelopeProblem(f) ??
    resourcesProblem(f.Resources) ??
    classificationProblem(f) ??
    fieldMapProblem('ProductFields', f.ProductFields, 2048) ??
    fieldMapProblem('UserDefinedFields', f.UserDefinedFields, 1024) ??
    // API Reference, Recommendation.Text: "Maximum of 512 length".
    (typeof text === 'string' && text.length > 512
      ? 'Remediation.Recommendation.Text is longer than 512 characters'
      : null) ??
    (Buffer.byteLength(JSON.stringify(f), 'utf8') > MAX_FINDING_BYTES ? 'the finding is larger than 240 KB' : null)
  );
}
