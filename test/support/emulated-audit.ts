/**
 * Runs the real audit core (`runAudit`) with real SDK v3 clients over HTTP: Organizations
 * and Security Hub against the emulator, the report against s3rver, both on 127.0.0.1.
 * Time is virtual (see {@link FastForwardClock}); only the HTTP round trips, the
 * emulator's real-time quota and the SDK's own retry delays take real time.
 */
import { gunzipSync } from 'node:zlib';
import { KMSClient } from '@aws-sdk/client-kms';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SecurityHubClient, type ConfigurationPolicyAssociation } from '@aws-sdk/client-securityhub';
import { REQUEST_TIMEOUTS, RETRY_SETTINGS } from '../../lambdas/audit/aws/clients';
import { attachRequestCounter, type RequestCounter } from '../../lambdas/audit/aws/request-counter';
import { type AuditTuning } from '../../lambdas/audit/config';
import { runAudit } from '../../lambdas/audit/core/run-audit';
import { S3ReportStore } from '../../lambdas/audit/store/s3-report-store';
import { KmsObjectMac } from '../../lambdas/audit/aws/kms-mac';
import {
  emulatorClientConfig,
  generateOrganization,
  startEmulator,
  type EmulatorFaults,
  type GeneratedOrg,
  type GenerateOrganizationOptions,
  type RunningEmulator,
} from '../emulator';
import { FastForwardClock } from './fast-forward-clock';
import { startLocalS3, type LocalS3 } from './s3-server';
import type { AuditDeps, AuditOutcome, AuditRequest } from '../../lambdas/audit/types/audit';
import { DEFAULT_TUNING } from './default-tuning';

/** 2026-11-26T02:00:00Z: the emulated organizations' "now" and the virtual clock's start. */
export const AUDIT_EPOCH = Date.UTC(2026, 10, 26, 2, 0, 0);

/**
 * Tuning for tests: the production defaults, with client-side pacing above Security Hub's
 * quota. Time is virtual, so the pacing costs no real time either way; what limits the
 * real request rate is the concurrency, and the emulator's quota is what throttles. The
 * walk is left unpaced in effect, so the virtual clock's sleeps are the fan-out's alone
 * (the walk's pacing has its own unit tests and the benchmark).
 */
export const TEST_TUNING: AuditTuning = {
  ...DEFAULT_TUNING,
  securityHubRequestsPerSecond: 50,
  securityHubBurst: 50,
  organizationsRequestsPerSecond: 100_000,
  organizationsBurst: 100_000,
};

/** A row of the associations object as written (plain JSON, not re-validated). */
export type WrittenRow = Record<string, unknown> & { readonly target_id: string };

/**
 * Rows with each `first_drift_seen` replaced by whether it is set: a run judges at the clock
 * when it started, so two runs of one schedule started seconds apart differ only there.
 */
export function withoutJudgedTimes<T extends object>(rows: readonly T[]): T[] {
  return rows.map((row) => {
    const seen = (row as { first_drift_seen?: unknown }).first_drift_seen;
    return { ...row, first_drift_seen: seen === null || seen === undefined ? seen : 'set' };
  });
}

/** What a test passes to {@link EmulatedAudit.run}; everything is optional. */
export interface RunOptions extends Partial<Omit<AuditRequest, 'tuning'>> {
  readonly tuning?: Partial<AuditTuning>;
  /** Replaces collaborators (e.g. `random`). */
  readonly deps?: Partial<AuditDeps>;
  /** Deadline relative to the clock at the start of the run; default 15 minutes. */
  readonly deadlineInMs?: number;
}

/** The emulator, s3rver and the audit wired together. */
export interface EmulatedAudit {
  readonly emulator: RunningEmulator;
  readonly org: GeneratedOrg;
  readonly s3: LocalS3;
  readonly store: S3ReportStore;
  /** The emulator's KMS key, through a real KMS client: every run is signed. */
  readonly mac: KmsObjectMac;
  readonly clock: FastForwardClock;
  readonly organizations: OrganizationsClient;
  readonly securityHub: SecurityHubClient;
  readonly organizationsCounter: RequestCounter;
  readonly securityHubCounter: RequestCounter;
  /** BatchGet commands (not HTTP attempts) that asked for each target id, since the last reset. */
  readonly batchGetAsks: Map<string, number>;
  /** Runs one audit; deadline defaults to 15 minutes of virtual time. */
  run(options?: RunOptions): Promise<AuditOutcome>;
  /** Reads a gz JSON Lines associations object back from s3rver. */
  readRows(key: string): Promise<WrittenRow[]>;
  /** Reads a run summary object back from s3rver. */
  readRun(key: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Options of {@link startEmulatedAudit}. */
export interface EmulatedAuditOptions {
  readonly org: GeneratedOrg | GenerateOrganizationOptions;
  readonly faults?: EmulatorFaults;
  /** Virtual clock start; default {@link AUDIT_EPOCH}. */
  readonly start?: number;
  /**
   * Per-attempt timeout of the Organizations and Security Hub clients; default the SDK's
   * (none). Production uses 30 s; tests of stalled responses need a short one.
   */
  readonly requestTimeoutMs?: number;
  /**
   * Runs the emulator's time-based faults (throttle storms, quotas) on the audit's virtual
   * clock instead of real time: for faults the audit's own backoff must outlast.
   */
  readonly emulatorOnAuditClock?: boolean;
  /** Puts the S3 fault proxy between the report store and s3rver (`s3.faultProxy`). */
  readonly s3Faults?: boolean;
}

function targetIdOf(identifier: ConfigurationPolicyAssociation): string | undefined {
  const t = identifier.Target;
  return t?.AccountId ?? t?.OrganizationalUnitId ?? t?.RootId;
}

/** Gunzips and parses every line; throws on a line that is not a JSON object with a target_id. */
export function parseWrittenRows(body: Buffer): WrittenRow[] {
  const text = gunzipSync(body).toString('utf8');
  if (!text.endsWith('\n')) throw new Error('associations object does not end with a newline');
  return text
    .slice(0, -1)
    .split('\n')
    .map((line, i) => {
      const value = JSON.parse(line) as WrittenRow;
      if (typeof value.target_id !== 'string') throw new Error(`line ${i + 1} has no target_id`);
      return value;
    });
}

/**
 * Starts the emulator and s3rver and builds the clients the way production does
 * (`createAwsClients`' retry settings), but with the emulator's endpoint passed explicitly.
 */
export async function startEmulatedAudit(options: EmulatedAuditOptions): Promise<EmulatedAudit> {
  const start = options.start ?? AUDIT_EPOCH;
  const org = 'associations' in options.org ? options.org : generateOrganization({ now: start, ...options.org });
  const clock = new FastForwardClock(start);
  const emulator = await startEmulator({
    org,
    faults: options.faults,
    ...(options.emulatorOnAuditClock ? { clock: () => clock.now() } : {}),
  });
  let s3: LocalS3;
  try {
    s3 = await startLocalS3({ faults: options.s3Faults ?? false });
  } catch (error) {
    await emulator.close();
    throw error;
  }
  const config = emulatorClientConfig(emulator);
  const requestHandler =
    options.requestTimeoutMs === undefined
      ? {}
      : { requestHandler: { ...REQUEST_TIMEOUTS, requestTimeout: options.requestTimeoutMs } };
  const organizations = new OrganizationsClient({ ...config, ...requestHandler, ...RETRY_SETTINGS.organizations });
  const securityHub = new SecurityHubClient({ ...config, ...requestHandler, ...RETRY_SETTINGS.securityHub });
  const organizationsCounter = attachRequestCounter(organizations);
  const securityHubCounter = attachRequestCounter(securityHub);
  const batchGetAsks = new Map<string, number>();
  securityHub.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { ConfigurationPolicyAssociationIdentifiers?: ConfigurationPolicyAssociation[] };
      for (const identifier of input.ConfigurationPolicyAssociationIdentifiers ?? []) {
        const id = targetIdOf(identifier);
        if (id !== undefined) batchGetAsks.set(id, (batchGetAsks.get(id) ?? 0) + 1);
      }
      return next(args);
    },
    { step: 'initialize', name: 'testBatchGetAskLog' },
  );
  const store = new S3ReportStore(s3.client, s3.bucket);
  const kms = new KMSClient({ ...config });
  const mac = new KmsObjectMac(kms, emulator.kms.keyId);

  return {
    mac,
    emulator,
    org,
    s3,
    store,
    clock,
    organizations,
    securityHub,
    organizationsCounter,
    securityHubCounter,
    batchGetAsks,
    run(runOptions = {}) {
      const { tuning, deps, deadlineInMs, ...request } = runOptions;
      // A scheduled run starts at its schedule time: the virtual clock moves there (never
      // back), since a schedule time more than an hour ahead of the clock is refused.
      const scheduledAt = request.scheduledTime === undefined ? Number.NaN : Date.parse(request.scheduledTime);
      if (scheduledAt > clock.now()) clock.advance(scheduledAt - clock.now());
      return runAudit(
        {
          organizations,
          securityHub,
          organizationsCounter,
          securityHubCounter,
          store,
          mac,
          clock,
          sleep: clock.sleep,
          random: () => 0.5,
          ...deps,
        },
        {
          reportPrefix: '',
          deadline: clock.now() + (deadlineInMs ?? 15 * 60_000),
          ...request,
          tuning: { ...TEST_TUNING, ...tuning },
        },
      );
    },
    async readRows(key) {
      return parseWrittenRows(await s3.getObject(key));
    },
    async readRun(key) {
      const text = (await s3.getObject(key)).toString('utf8');
      if (!text.endsWith('\n') || text.slice(0, -1).includes('\n'))
        throw new Error(`${key} is not exactly one JSON line`);
      return JSON.parse(text) as Record<string, unknown>;
    },
    async close() {
      organizations.destroy();
      securityHub.destroy();
      kms.destroy();
      await Promise.allSettled([emulator.close(), s3.close()]);
    },
  };
}

/** All target ids of a generated organization: root, OUs, accounts. */
export function allTargetIds(org: GeneratedOrg): string[] {
  return [...org.roots.map((r) => r.id), ...org.ous.map((o) => o.id), ...org.accounts.map((a) => a.id)];
}

/** Ids that occur more than once. */
export function duplicates(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const id of ids) (seen.has(id) ? repeated : seen).add(id);
  return [...repeated];
}

/** Ids of rows whose drift_reasons include `reason`, sorted. */
export function idsWithReason(rows: readonly WrittenRow[], reason: string): string[] {
  return rows
    .filter((r) => (r.drift_reasons as string[]).includes(reason))
    .map((r) => r.target_id)
    .sort();
}

/** Sets environment variables for the duration of `fn`, restoring the previous values after. */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = new Map(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
