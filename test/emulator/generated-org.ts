/**
 * The ground truth of an emulated organization: what the emulator serves, and what tests
 * assert against. Plain data (plus maps for lookups), no behaviour.
 */
import type { AccountStatus, AssociationStatus, AssociationType, TargetType } from '../../lambdas/audit/model';

/** The organization itself, as DescribeOrganization returns it. */
export interface GeneratedOrganizationInfo {
  readonly id: string;
  readonly arn: string;
  readonly managementAccountId: string;
  readonly managementAccountArn: string;
  readonly managementAccountEmail: string;
}

/** The organization root. Real organizations have exactly one. */
export interface GeneratedRoot {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
}

/** An organizational unit. */
export interface GeneratedOu {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  /** Root or OU id. */
  readonly parentId: string;
  /** 1 for an OU directly below the root; AWS allows at most 5. */
  readonly depth: number;
}

/** A member account (the management account included). */
export interface GeneratedAccount {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  /** Fake address under `example.com`, never a real mailbox. */
  readonly email: string;
  /** Root or OU id. */
  readonly parentId: string;
  readonly status: AccountStatus;
  readonly joinedMethod: 'INVITED' | 'CREATED';
  /** Epoch milliseconds. */
  readonly joinedTimestamp: number;
}

/** A Security Hub configuration policy. */
export interface GeneratedPolicy {
  readonly id: string;
  readonly name: string;
}

/** The kinds of seeded anomaly; each target carries at most one. */
export type AnomalyKind = 'failed' | 'stalePending' | 'freshPending' | 'inheritanceMismatch' | 'missing';

/** Every anomaly kind, in a fixed order. */
export const ANOMALY_KINDS: readonly AnomalyKind[] = [
  'failed',
  'stalePending',
  'freshPending',
  'inheritanceMismatch',
  'missing',
];

/** A configuration policy association as the emulated Security Hub reports it. */
export interface GeneratedAssociation {
  readonly targetId: string;
  readonly targetType: TargetType;
  /** Policy UUID or `SELF_MANAGED_SECURITY_HUB`. */
  readonly configurationPolicyId: string;
  readonly associationType: AssociationType;
  readonly associationStatus: AssociationStatus;
  /** Only set for FAILED. */
  readonly associationStatusMessage: string | null;
  /** ISO 8601 UTC with milliseconds. */
  readonly updatedAt: string;
  /** The anomaly seeded on this target, if any. */
  readonly anomaly: AnomalyKind | null;
}

/** Target ids per anomaly kind, each list in a stable order. */
export type SeededAnomalies = Readonly<Record<AnomalyKind, readonly string[]>>;

/** A whole generated organization. */
export interface GeneratedOrg {
  /** The seed it was generated from, for messages and for fault selection. */
  readonly seed: number | string;
  /** The `now` (epoch ms) all timestamps were computed against. */
  readonly now: number;
  /** PENDING older than this many hours counts as stale in the ground truth. */
  readonly stalePendingHours: number;
  readonly organization: GeneratedOrganizationInfo;
  readonly roots: readonly GeneratedRoot[];
  /** Parents always come before their children. */
  readonly ous: readonly GeneratedOu[];
  readonly accounts: readonly GeneratedAccount[];
  readonly policies: readonly GeneratedPolicy[];
  /**
   * What Security Hub returns per target id. Targets seeded as `missing` are absent:
   * the service returns them neither as associations nor as unprocessed.
   */
  readonly associations: ReadonlyMap<string, GeneratedAssociation>;
  /**
   * The policy each target would report with no anomaly, i.e. the nearest APPLIED
   * association up the tree. Present for every target, `missing` ones included.
   */
  readonly expectedPolicyIds: ReadonlyMap<string, string>;
  readonly anomalies: SeededAnomalies;
}
