/**
 * Security Hub's findings as the emulator serves them: BatchImportFindings and GetFindings.
 *
 * BatchImportFindings validates each finding against `finding-rules.ts`, refuses a request
 * outside its bounds whole, answers per-finding failures in FailedFindings, and applies
 * the documented update rules:
 * - "If UpdatedAt on the update matches or occurs before UpdatedAt on the existing
 *   finding, Security Hub CSPM ignores the update" (User Guide, BatchImportFindings for
 *   finding providers, "Determining whether to create or update a finding").
 * - Note, UserDefinedFields, VerificationState and Workflow cannot be updated by
 *   BatchImportFindings once the finding exists; Confidence, Criticality,
 *   RelatedFindings, Severity and Types are set from FindingProviderFields "only if they
 *   have not been updated using BatchUpdateFindings" (API Reference, BatchImportFindings;
 *   User Guide, "Using FindingProviderFields").
 * - Workflow.Status goes back to NEW when an archived finding becomes active again or
 *   compliance turns from PASSED to anything else (API Reference, Workflow).
 * - CreatedAt stays the creation's.
 *
 * Assumed where AWS does not document it: an ignored (stale) update counts in
 * SuccessCount; a request over 100 findings or 6 MB is refused whole with
 * InvalidInputException.
 */
import { EmulatorConfigError, type ImportFailureRule } from './emulator-faults';
import { findingFilter } from './findings-query';
import { findingProblem, instantNanos } from './finding-rules';
import { servePage, type PagingContext } from './paging';
import { securityHubInvalidInput } from './service-error';

export { findingProblem } from './finding-rules';

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
  /** Updates ignored because their UpdatedAt was not later than the stored one. */
  readonly staleUpdatesIgnored: number;
}

/** model: BatchImportFindingsRequestFindingList, min 1, max 100. */
const MAX_FINDINGS_PER_CALL = 100;
/** User Guide, BatchImportFindings for finding providers: "up to 6 MB per batch". */
const MAX_BYTES_PER_CALL = 6 * 1024 * 1024;
/** model: GetFindingsRequest MaxResults, 1 to 100. */
const GET_MAX_RESULTS = 100;
/** Customer-owned: BatchImportFindings never changes them once the finding exists. */
const CUSTOMER_FIELDS = ['Note', 'UserDefinedFields', 'VerificationState', 'Workflow'] as const;
/** Set by the provider through FindingProviderFields until a customer's BatchUpdateFindings sets them. */
const PROVIDER_MIRRORED = ['Confidence', 'Criticality', 'RelatedFindings', 'Severity', 'Types'] as const;
/** What a customer's BatchUpdateFindings may set. */
export type CustomerPatch = Partial<
  Record<(typeof CUSTOMER_FIELDS)[number] | (typeof PROVIDER_MIRRORED)[number], unknown>
>;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Entry {
  finding: Json;
  imports: number;
  /** Mirrored fields a customer set with BatchUpdateFindings: imports keep them. */
  readonly customerSet: Set<string>;
}

/** The findings the emulator holds, keyed by product ARN and id. Reset only by a new emulator. */
export class FindingsStore {
  private readonly findings = new Map<string, Entry>();
  private stats = { customerFieldsIgnored: 0, failedFindings: 0, staleUpdatesIgnored: 0 };
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
    if (Buffer.byteLength(JSON.stringify(input), 'utf8') > MAX_BYTES_PER_CALL) {
      throw securityHubInvalidInput('The request is larger than 6 MB.');
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

  /** GetFindings: the stored findings matching `Filters`, paged, in first-import order. */
  get(input: Json, paging: PagingContext): object {
    if (input.SortCriteria !== undefined) throw securityHubInvalidInput('The emulator does not serve SortCriteria.');
    const maxResults = input.MaxResults ?? GET_MAX_RESULTS;
    if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100)
      throw securityHubInvalidInput(`MaxResults must be an integer from 1 to ${GET_MAX_RESULTS}.`);
    const token = input.NextToken;
    if (token !== undefined && token !== null && typeof token !== 'string')
      throw securityHubInvalidInput('NextToken must be a string.');
    const matches = findingFilter(input.Filters);
    const all = [...this.findings.values()].map((e) => e.finding).filter(matches);
    const page = servePage(
      all,
      {
        scope: `GetFindings|${JSON.stringify(input.Filters ?? {})}`,
        maxResults,
        nextToken: typeof token === 'string' && token !== '' ? token : undefined,
      },
      paging,
    );
    const body: Json = { Findings: page.items.map((f) => structuredClone(f)) };
    if (page.nextToken !== undefined) body.NextToken = page.nextToken;
    return body;
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
    if (!existing) {
      const created = withProviderFields(incoming, null, new Set());
      created.Workflow = isObject(incoming.Workflow) ? incoming.Workflow : { Status: 'NEW' };
      created.RecordState = incoming.RecordState ?? 'ACTIVE';
      this.findings.set(key, { finding: created, imports: 1, customerSet: new Set() });
      return;
    }
    const old = existing.finding;
    // Validated timestamps: both parse.
    if (instantNanos(incoming.UpdatedAt as string)! <= instantNanos(old.UpdatedAt as string)!) {
      this.stats.staleUpdatesIgnored += 1;
      return;
    }
    const merged = withProviderFields(incoming, old, existing.customerSet);
    if (CUSTOMER_FIELDS.some((k) => incoming[k] !== undefined)) this.stats.customerFieldsIgnored += 1;
    for (const k of CUSTOMER_FIELDS) {
      if (old[k] === undefined) delete merged[k];
      else merged[k] = old[k];
    }
    merged.RecordState = incoming.RecordState ?? old.RecordState;
    merged.CreatedAt = old.CreatedAt;
    reopenWorkflow(old, merged);
    existing.finding = merged;
    existing.imports += 1;
  }

  /** Every stored finding, in first-import order. */
  all(): readonly StoredFinding[] {
    return [...this.findings.values()].map(({ finding, imports }) => ({ finding: structuredClone(finding), imports }));
  }

  /**
   * What a customer's BatchUpdateFindings does: sets the fields given, leaves UpdatedAt
   * as it is ("your updates don't affect existing values for the UpdatedAt field", User
   * Guide, BatchUpdateFindings for customers), and marks mirrored fields as the customer's.
   */
  updateAsCustomer(productArn: string, id: string, patch: CustomerPatch): void {
    const entry = this.findings.get(`${productArn}|${id}`);
    if (!entry) throw new EmulatorConfigError(`no finding ${id} in ${productArn}`);
    Object.assign(entry.finding, patch);
    for (const k of PROVIDER_MIRRORED) if (patch[k] !== undefined) entry.customerSet.add(k);
  }

  counters(): FindingsStoreStats {
    return { ...this.stats };
  }
}

/**
 * The finding with FindingProviderFields from the import (filled from the top-level
 * fields when the import has none) and each mirrored top-level field from it, unless a
 * customer set that field: then the stored value stays.
 */
function withProviderFields(incoming: Json, old: Json | null, customerSet: ReadonlySet<string>): Json {
  const provider: Json = isObject(incoming.FindingProviderFields) ? { ...incoming.FindingProviderFields } : {};
  const merged: Json = { ...incoming };
  for (const k of PROVIDER_MIRRORED) {
    if (provider[k] === undefined && incoming[k] !== undefined) provider[k] = incoming[k];
    if (old !== null && customerSet.has(k)) merged[k] = old[k];
    else if (provider[k] !== undefined) merged[k] = provider[k];
  }
  merged.FindingProviderFields = provider;
  return merged;
}

/** Workflow back to NEW when the finding is reopened (API Reference, Workflow). */
function reopenWorkflow(old: Json, merged: Json): void {
  const status = (f: Json) => (isObject(f.Compliance) ? f.Compliance.Status : undefined);
  const workflow = isObject(old.Workflow) ? old.Workflow.Status : undefined;
  const reopened =
    (old.RecordState === 'ARCHIVED' && merged.RecordState === 'ACTIVE') ||
    (status(old) === 'PASSED' && status(merged) !== undefined && status(merged) !== 'PASSED');
  if (reopened && (workflow === 'NOTIFIED' || workflow === 'RESOLVED')) merged.Workflow = { Status: 'NEW' };
}
