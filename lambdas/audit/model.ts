/**
 * The audit's domain types. Pure data: no SDK imports, so the drift rules and
 * report builders that use them stay free of AWS clients.
 */

/*
 * Every enumerated value of the audit is declared once here, as a constant array, and the
 * type is derived from it: parsing (service answers, report objects), the rows, the schema
 * comments and the emulator all use these arrays, so a new value cannot reach one and not
 * the others.
 */

/** The kinds of target a configuration policy can be associated with. */
export const TARGET_TYPES = ['ROOT', 'ORGANIZATIONAL_UNIT', 'ACCOUNT'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

/**
 * Account state as AWS Organizations names it in `Account.State` (the field that replaces
 * `Status`, which the API retires on 2026-09-09), in the SDK's enum order.
 */
export const ACCOUNT_STATES = ['ACTIVE', 'CLOSED', 'PENDING_ACTIVATION', 'PENDING_CLOSURE', 'SUSPENDED'] as const;
/** One of {@link ACCOUNT_STATES}: the report's `account_status`. */
export type AccountStatus = (typeof ACCOUNT_STATES)[number];

/** What Security Hub reports in place of a policy id for self-managed targets. */
export const SELF_MANAGED = 'SELF_MANAGED_SECURITY_HUB';

/** One node of the organization as the walk found it. E-mail addresses are never kept. */
export interface OrgTarget {
  readonly id: string;
  readonly type: TargetType;
  readonly name: string;
  /** Parent container id; `null` for a root. */
  readonly parentId: string | null;
  /**
   * Ids from the root down, joined by `/`. For a root or an OU the path ends with the
   * target itself (`r-ab12/ou-ab12-1111`); for an account it ends with the container
   * holding it, since accounts are not part of any OU path.
   */
  readonly ouPath: string;
  /** Only for accounts. */
  readonly accountStatus: AccountStatus | null;
}

/**
 * Something Organizations listed with an id that is not a valid id of its kind. It is
 * kept out of the report (and, for a container, its subtree is not walked), so the run
 * cannot claim to be complete.
 */
export interface RejectedTarget {
  /** The id as listed, quoted and bounded (see `quoteUntrustedId`): safe to log, never used as an id. */
  readonly quotedId: string;
  readonly type: TargetType;
  /** The container it was listed under. */
  readonly parentId: string;
}

/** The whole organization, in walk order (parents before their children). */
export interface OrgSnapshot {
  readonly rootIds: readonly string[];
  readonly targets: readonly OrgTarget[];
  /** Listed entries whose ids were invalid; empty in a healthy organization. */
  readonly rejected: readonly RejectedTarget[];
}

/** How a target got its configuration policy. */
export const ASSOCIATION_TYPES = ['APPLIED', 'INHERITED'] as const;
export type AssociationType = (typeof ASSOCIATION_TYPES)[number];

/** Where applying the association stands. */
export const ASSOCIATION_STATUSES = ['SUCCESS', 'PENDING', 'FAILED'] as const;
export type AssociationStatus = (typeof ASSOCIATION_STATUSES)[number];

/** A configuration policy association as BatchGetConfigurationPolicyAssociations returned it. */
export interface Association {
  readonly targetId: string;
  /** Policy id (UUID), or {@link SELF_MANAGED}. `null` if the service returned none. */
  readonly configurationPolicyId: string | null;
  readonly associationType: AssociationType | null;
  readonly associationStatus: AssociationStatus | null;
  readonly associationStatusMessage: string | null;
  /** ISO 8601 UTC. */
  readonly updatedAt: string | null;
}

/** A target that was still in `UnprocessedConfigurationPolicyAssociations` when re-driving stopped. */
export interface UnprocessedTarget {
  readonly targetId: string;
  readonly errorCode: string | null;
  readonly errorReason: string | null;
  /** How many batch-get calls asked for this target. */
  readonly attempts: number;
}

/** Counters the fan-out keeps for the run summary and metrics. */
export interface FetchStats {
  readonly apiCalls: number;
  readonly throttledRequests: number;
  /** Re-drive rounds started after the first pass. */
  readonly redriveAttempts: number;
  /** Groups the service rejected as invalid and that were split in two. */
  readonly splitGroups: number;
  /** True when re-driving stopped because the deadline came, not because the work was done. */
  readonly deadlineReached: boolean;
}

/** What the fan-out returns: every requested target is in at most one of the two maps. */
export interface FetchResult {
  readonly associations: ReadonlyMap<string, Association>;
  readonly unprocessed: ReadonlyMap<string, UnprocessedTarget>;
  readonly stats: FetchStats;
}

/** Why a target is out of line. Order here is the order reasons are listed in a row. */
export const DRIFT_REASONS = [
  'FAILED',
  'PENDING_STALE',
  'UNPROCESSED',
  'MISSING',
  'INHERITANCE_MISMATCH',
  'BASELINE_MISMATCH',
] as const;
export type DriftReason = (typeof DRIFT_REASONS)[number];

/** How a target's state moved against the previous run's snapshot. */
export const CHANGE_KINDS = ['NEW_DRIFT', 'RESOLVED', 'CHANGED'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** Final verdict for a target. EXCLUDED means drift was found but an unexpired exclusion covers it. */
export const AUDIT_RESULTS = ['OK', 'DRIFT', 'EXCLUDED'] as const;
export type AuditResult = (typeof AUDIT_RESULTS)[number];

/** What started a run: an EventBridge schedule or a person (CLI, manual invocation). */
export const RUN_TRIGGERS = ['SCHEDULED', 'MANUAL'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

/** COMPLETE only when every target has a definite association state and the walk rejected nothing. */
export const RUN_STATUSES = ['COMPLETE', 'INCOMPLETE'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * What the run could make of the previous run's snapshot: OK (verified and compared
 * with), NONE (there is none: the first run) or UNTRUSTED (it failed verification, so
 * history was treated as unavailable and every drifted target counted as new drift).
 */
export const PREVIOUS_RUN_STATUSES = ['OK', 'NONE', 'UNTRUSTED'] as const;
export type PreviousRunStatus = (typeof PREVIOUS_RUN_STATUSES)[number];

/**
 * Desired state: target id (root, OU or account) to policy id or `SELF_MANAGED`,
 * inherited down the tree like the service itself does.
 */
export type Baseline = ReadonlyMap<string, string>;

/** An accepted deviation. */
export interface Exclusion {
  readonly targetId: string;
  readonly reason: string;
  /** `YYYY-MM-DD`; the exclusion applies up to and including this UTC date. */
  readonly expires: string;
}

/** Injected time source, so tests never wait. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** Injected sleep, so tests never wait. */
export type Sleep = (ms: number) => Promise<void>;

/** The Organizations operations the walk calls. */
export type WalkOperation = 'ListRoots' | 'ListOrganizationalUnitsForParent' | 'ListAccountsForParent';

/** Why the listed data cannot form a tree. */
export type OrgTreeProblem = 'DUPLICATE_ID' | 'CYCLE' | 'UNREACHABLE_PARENT';
