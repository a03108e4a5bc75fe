/**
 * Options of {@link generateOrganization}, their defaults, and their validation. Kept
 * apart from the generator so the limits (which mirror real AWS limits) are in one place.
 */
import type { AnomalyKind } from './generated-org';
import type { Seed } from './seeded-random';

/** Options are out of range or cannot all be satisfied (e.g. more anomalies than targets). */
export class GenerateOrganizationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GenerateOrganizationError';
  }
}

/** AWS allows OUs to be nested at most five levels below the root. */
export const MAX_OU_DEPTH = 5;

/** How to build an organization. Every field is optional. */
export interface GenerateOrganizationOptions {
  /** Same seed, same ids and same choices. Default `1`. */
  readonly seed?: Seed;
  /** Accounts, the management account included. At least 1. Default `50`. */
  readonly accounts?: number;
  /** Organizational units. Default `10`. */
  readonly ous?: number;
  /** Deepest OU level below the root, 1 to 5. Default `3` (and `0` is allowed when `ous` is 0). */
  readonly maxDepth?: number;
  /** Share of accounts SUSPENDED, 0 to 1; the count is rounded. Default `0.05`. */
  readonly suspendedFraction?: number;
  /** Share of accounts PENDING_CLOSURE, 0 to 1; the count is rounded. Default `0.02`. */
  readonly pendingClosureFraction?: number;
  /** Share of accounts CLOSED (closed, still listed for up to 90 days), 0 to 1; rounded. Default `0`. */
  readonly closedFraction?: number;
  /** Share of accounts PENDING_ACTIVATION (sign-up not completed), 0 to 1; rounded. Default `0`. */
  readonly pendingActivationFraction?: number;
  /** Configuration policies to create, at least 1. Default `3`. */
  readonly policies?: number;
  /** Share of OUs with an APPLIED association (the rest inherit). Default `0.3`. */
  readonly appliedOuFraction?: number;
  /** Share of accounts with an APPLIED association (the rest inherit). Default `0.05`. */
  readonly appliedAccountFraction?: number;
  /** Share of APPLIED OU/account associations that apply self-managed instead of a policy. Default `0.1`. */
  readonly selfManagedFraction?: number;
  /** Number of targets per seeded anomaly; all default to `0`. */
  readonly anomalies?: Partial<Record<AnomalyKind, number>>;
  /** Stale PENDING is older than this many hours; fresh PENDING is younger. Default `24`. */
  readonly stalePendingHours?: number;
  /**
   * Epoch ms that timestamps are relative to. Default `Date.now()`; pass it for output
   * that is identical across runs (ids depend on the seed only either way).
   */
  readonly now?: number;
}

/** The options with every default filled in. */
export type ResolvedGenerateOptions = Required<Omit<GenerateOrganizationOptions, 'anomalies'>> & {
  readonly anomalies: Readonly<Record<AnomalyKind, number>>;
};

/** The defaults, for documentation and for callers that want to print them. */
export const GENERATE_DEFAULTS = {
  seed: 1,
  accounts: 50,
  ous: 10,
  maxDepth: 3,
  suspendedFraction: 0.05,
  pendingClosureFraction: 0.02,
  closedFraction: 0,
  pendingActivationFraction: 0,
  policies: 3,
  appliedOuFraction: 0.3,
  appliedAccountFraction: 0.05,
  selfManagedFraction: 0.1,
  stalePendingHours: 24,
} as const;

function integer(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new GenerateOrganizationError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

function fraction(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new GenerateOrganizationError(`${name} must be a number from 0 to 1, got ${value}`);
  }
  return value;
}

/**
 * Fills in defaults and checks ranges. Whether the anomaly counts fit the generated
 * tree can only be known later; the generator checks that itself.
 */
export function resolveGenerateOptions(options: GenerateOrganizationOptions = {}): ResolvedGenerateOptions {
  const d = GENERATE_DEFAULTS;
  const ous = integer('ous', options.ous ?? d.ous, 0, 100_000);
  const maxDepth = integer(
    'maxDepth',
    options.maxDepth ?? (ous === 0 ? 0 : d.maxDepth),
    ous === 0 ? 0 : 1,
    MAX_OU_DEPTH,
  );
  const suspendedFraction = fraction('suspendedFraction', options.suspendedFraction ?? d.suspendedFraction);
  const pendingClosureFraction = fraction(
    'pendingClosureFraction',
    options.pendingClosureFraction ?? d.pendingClosureFraction,
  );
  const closedFraction = fraction('closedFraction', options.closedFraction ?? d.closedFraction);
  const pendingActivationFraction = fraction(
    'pendingActivationFraction',
    options.pendingActivationFraction ?? d.pendingActivationFraction,
  );
  if (suspendedFraction + pendingClosureFraction + closedFraction + pendingActivationFraction > 1) {
    throw new GenerateOrganizationError(
      'suspendedFraction + pendingClosureFraction + closedFraction + pendingActivationFraction must not exceed 1',
    );
  }
  const anomalies = options.anomalies ?? {};
  const now = options.now ?? Date.now();
  if (!Number.isFinite(now)) throw new GenerateOrganizationError(`now must be epoch milliseconds, got ${now}`);
  return {
    seed: options.seed ?? d.seed,
    accounts: integer('accounts', options.accounts ?? d.accounts, 1, 1_000_000),
    ous,
    maxDepth,
    suspendedFraction,
    pendingClosureFraction,
    closedFraction,
    pendingActivationFraction,
    policies: integer('policies', options.policies ?? d.policies, 1, 1000),
    appliedOuFraction: fraction('appliedOuFraction', options.appliedOuFraction ?? d.appliedOuFraction),
    appliedAccountFraction: fraction(
      'appliedAccountFraction',
      options.appliedAccountFraction ?? d.appliedAccountFraction,
    ),
    selfManagedFraction: fraction('selfManagedFraction', options.selfManagedFraction ?? d.selfManagedFraction),
    stalePendingHours: integer('stalePendingHours', options.stalePendingHours ?? d.stalePendingHours, 1, 24 * 365),
    now,
    anomalies: {
      failed: integer('anomalies.failed', anomalies.failed ?? 0, 0, 1_000_000),
      stalePending: integer('anomalies.stalePending', anomalies.stalePending ?? 0, 0, 1_000_000),
      freshPending: integer('anomalies.freshPending', anomalies.freshPending ?? 0, 0, 1_000_000),
      inheritanceMismatch: integer('anomalies.inheritanceMismatch', anomalies.inheritanceMismatch ?? 0, 0, 1_000_000),
      missing: integer('anomalies.missing', anomalies.missing ?? 0, 0, 1_000_000),
    },
  };
}
