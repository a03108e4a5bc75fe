/**
 * Security Hub's BatchImportFindings as the emulator serves it: validation of each
 * finding against the ASFF rules a provider meets (required fields, lengths, 240 KB), the
 * account's own product ARN, per-finding failures in FailedFindings, and the update rules
 * for existing findings: customer-owned fields (Note, UserDefinedFields,
 * VerificationState, Workflow) are kept from the stored finding whatever the import says,
 * and Workflow.Status goes back to NEW when an archived finding becomes active again or
 * compliance turns from PASSED to anything else (API reference, Workflow).
 *
 * Assumed where AWS does not document it: a finding that breaks a field rule fails alone
 * with ErrorCode `InvalidInput`; a request with no findings or more than 100 is refused
 * whole with InvalidInputException.
 */
import { EmulatorConfigError, type ImportFailureRule } from './emulator-faults';
import { securityHubInvalidInput } from './service-error';

/** A finding as stored, with how many imports created or updated it. */
export interface StoredFinding {
  readonly finding: Readonly<Record<string, unknown>>;
  readonly imports: number;
}

/** Counters tests read besides the findings. */
export interface FindingsStoreStats {
  /** Imports of an existing finding that tried to set a customer-owned field (ignored). */
  readonly customerFieldsIgnored: number;
  /** Findings answered in FailedFindings, injected failures included. */
  readonly failedFindings: number;
}

const MAX_FINDINGS_PER_CALL = 100;
const MAX_FINDING_BYTES = 240 * 1024;
const REQUIRED = [
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
const MAX_LENGTHS: Readonly<Record<string, number>> = { Id: 512, GeneratorId: 512, Title: 256, Description: 1024 };
const CUSTOMER_FIELDS = ['Note', 'UserDefinedFields', 'VerificationState', 'Workflow'] as const;
const PRODUCT_ARN = /^arn:aws[a-z-]*:securityhub:[a-z0-9-]+:(\d{12}):product\/(\d{12})\/default$/;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why a finding is refused, or `null` when it is a valid provider finding. */
export function findingProblem(f: unknown): string | null {
  if (!isObject(f)) return 'a finding must be an object';
  for (const key of REQUIRED) {
    if (typeof f[key] !== 'string' || f[key] === '') return `${key} is required`;
  }
  for (const [key, max] of Object.entries(MAX_LENGTHS)) {
    if ((f[key] as string).length > max) return `${key} is longer than ${max} characters`;
  }
  for (const key of ['CreatedAt', 'UpdatedAt'] as const) {
    if (Number.isNaN(Date.parse(f[key] as string))) return `${key} is not an ISO 8601 date-time`;
  }
  const arn = PRODUCT_ARN.exec(f.ProductArn as string);
  if (!arn || arn[1] !== arn[2] || arn[1] !== f.AwsAccountId) {
    return "ProductArn must be the calling account's own default product, for AwsAccountId";
  }
  const resources = f.Resources;
  if (!Array.isArray(resources) || resources.length === 0 || resources.length > 32)
    return 'Resources needs 1 to 32 items';
  if (!resources.every((r) => isObject(r) && typeof r.Type === 'string' && typeof r.Id === 'string'))
    return 'every resource needs Type and Id';
  const provider = isObject(f.FindingProviderFields) ? f.FindingProviderFields : {};
  if (!isObject(f.Severity) && !isObject(provider.Severity))
    return 'Severity or FindingProviderFields.Severity is required';
  if (!Array.isArray(f.Types) && !Array.isArray(provider.Types))
    return 'Types or FindingProviderFields.Types is required';
  if (isObject(f.ProductFields) && Object.keys(f.ProductFields).length > 50)
    return 'ProductFields has more than 50 pairs';
  const text =
    isObject(f.Remediation) && isObject(f.Remediation.Recommendation) ? f.Remediation.Recommendation.Text : undefined;
  if (typeof text === 'string' && text.length > 512)
    return 'Remediation.Recommendation.Text is longer than 512 characters';
  if (Buffer.byteLength(JSON.stringify(f), 'utf8') > MAX_FINDING_BYTES) return 'the finding is larger than 240 KB';
  return null;
}

/** The findings the emulator holds, keyed by product ARN and id. Reset only by a new emulator. */
export class FindingsStore {
  private readonly findings = new Map<string, { finding: Json; imports: number }>();
  private stats = { customerFieldsIgnored: 0, failedFindings: 0 };
  private rules: readonly ImportFailureRule[] = [];
  /** Imports each injected failure has answered, per finding id. */
  private readonly injected = new Map<string, number>();

  /** Replaces the injected failures (from `setFaults`); their counts start again. */
  setFailureRules(rules: readonly ImportFailureRule[]): void {
    rules.forEach((rule, i) => {
      if (!Array.isArray(rule.findingIds) || !rule.findingIds.every((id) => typeof id === 'string'))
        throw new EmulatorConfigError(`securityHub.importFailures[${i}].findingIds must be an array of strings`);
    });
    this.rules = rules;
    this.injected.clear();
  }

  /** BatchImportFindings. Throws an EmulatedServiceError when the request is refused whole. */
  import(input: Json): object {
    const list = input.Findings;
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_FINDINGS_PER_CALL) {
      throw securityHubInvalidInput(`Findings must hold 1 to ${MAX_FINDINGS_PER_CALL} findings.`);
    }
    const failed: Json[] = [];
    for (const f of list) {
      const id = isObject(f) && typeof f.Id === 'string' ? f.Id : '';
      const problem = findingProblem(f);
      const injected = problem === null ? this.injectedFailure(id) : null;
      if (problem !== null || injected !== null) {
        failed.push({
          Id: id,
          ErrorCode: injected?.errorCode ?? 'InvalidInput',
          ErrorMessage: injected?.errorMessage ?? problem,
        });
        continue;
      }
      this.store(f as Json);
    }
    this.stats.failedFindings += failed.length;
    return { FailedCount: failed.length, SuccessCount: list.length - failed.length, FailedFindings: failed };
  }

  private injectedFailure(id: string): { errorCode: string; errorMessage: string } | null {
    const rule = this.rules.find((r) => r.findingIds.includes(id));
    if (!rule) return null;
    const served = this.injected.get(id) ?? 0;
    if (rule.attempts !== 'forever' && served >= rule.attempts) return null;
    this.injected.set(id, served + 1);
    return { errorCode: rule.errorCode ?? 'LimitExceeded', errorMessage: rule.errorMessage ?? 'Rate exceeded' };
  }

  private store(incoming: Json): void {
    const key = `${incoming.ProductArn as string}|${incoming.Id as string}`;
    const existing = this.findings.get(key);
    const provider = isObject(incoming.FindingProviderFields) ? incoming.FindingProviderFields : {};
    const merged: Json = {
      ...incoming,
      Severity: incoming.Severity ?? provider.Severity,
      Types: incoming.Types ?? provider.Types,
      FindingProviderFields: {
        ...provider,
        Severity: provider.Severity ?? incoming.Severity,
        Types: provider.Types ?? incoming.Types,
      },
    };
    if (!existing) {
      merged.Workflow = isObject(incoming.Workflow) ? incoming.Workflow : { Status: 'NEW' };
      merged.RecordState = incoming.RecordState ?? 'ACTIVE';
      this.findings.set(key, { finding: merged, imports: 1 });
      return;
    }
    const old = existing.finding;
    if (CUSTOMER_FIELDS.some((k) => incoming[k] !== undefined)) this.stats.customerFieldsIgnored += 1;
    for (const k of CUSTOMER_FIELDS) {
      if (old[k] === undefined) delete merged[k];
      else merged[k] = old[k];
    }
    merged.RecordState = incoming.RecordState ?? old.RecordState;
    merged.CreatedAt = old.CreatedAt;
    const status = (f: Json) => (isObject(f.Compliance) ? f.Compliance.Status : undefined);
    const workflow = isObject(old.Workflow) ? old.Workflow.Status : undefined;
    const reopened =
      (old.RecordState === 'ARCHIVED' && merged.RecordState === 'ACTIVE') ||
      (status(old) === 'PASSED' && status(merged) !== undefined && status(merged) !== 'PASSED');
    if (reopened && (workflow === 'NOTIFIED' || workflow === 'RESOLVED')) merged.Workflow = { Status: 'NEW' };
    this.findings.set(key, { finding: merged, imports: existing.imports + 1 });
  }

  /** Every stored finding, in first-import order. */
  all(): readonly StoredFinding[] {
    return [...this.findings.values()].map(({ finding, imports }) => ({ finding: structuredClone(finding), imports }));
  }

  /** What a customer's BatchUpdateFindings would do to the customer-owned fields, for tests. */
  updateAsCustomer(
    productArn: string,
    id: string,
    patch: Partial<Record<(typeof CUSTOMER_FIELDS)[number], unknown>>,
  ): void {
    const entry = this.findings.get(`${productArn}|${id}`);
    if (!entry) throw new EmulatorConfigError(`no finding ${id} in ${productArn}`);
    Object.assign(entry.finding, patch);
  }

  counters(): FindingsStoreStats {
    return { ...this.stats };
  }
}
