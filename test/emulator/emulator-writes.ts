/**
 * The emulator's write side: the Organizations and Security Hub write calls, the
 * associations settling, the deferred account work, and the CloudTrail-shaped events, wired
 * to one organization index and one clock. The server hands write operations here and calls
 * {@link EmulatorWrites.settleDue} before every request.
 */
import { AssociationEngine, type AssociationBehaviour } from './association-engine';
import { buildEvent, EventLog, type EmulatedEventName } from './cloudtrail-events';
import { newUuid } from './aws-ids';
import { DeferredTasks } from './deferred-tasks';
import type { MutableOrgIndex } from './org-index';
import {
  handleOrganizationsWrite,
  ORGANIZATIONS_WRITE_OPERATIONS,
  type OrganizationsWriteOperation,
} from './organizations-writes';
import { handleSecurityHubWrite, SECURITYHUB_WRITE_ROUTES, type SecurityHubWriteOperation } from './securityhub-writes';
import { createRandom, type Seed } from './seeded-random';

/** Which targets' associations end FAILED: ids, or a predicate. */
export type AssociationFailures = ReadonlySet<string> | ((targetId: string) => boolean);

/** How the write calls behave. Every member is optional. */
export interface EmulatorWriteOptions {
  /** How long an association stays PENDING after a change; default 5,000 ms. */
  readonly associationSettleMs?: number;
  /** Targets whose associations settle FAILED instead of SUCCESS; default none. */
  readonly failAssociationsFor?: AssociationFailures;
  /** AssociationStatusMessage of those failures. */
  readonly associationFailureMessage?: string;
  /** How long CreateAccount stays IN_PROGRESS; default 10,000 ms. */
  readonly createAccountMs?: number;
  /** How long a closed account stays PENDING_CLOSURE before SUSPENDED; default 10,000 ms. */
  readonly closeAccountMs?: number;
  /** OUs the organization may have; default 2,000, the AWS quota. */
  readonly ouQuota?: number;
  /** Account of the Organizations events; default the organization's management account. */
  readonly managementAccountId?: string;
  /** Account of the Security Hub events (the delegated administrator); default the management account. */
  readonly auditAccountId?: string;
  /** Region of the Security Hub events (the home Region); default us-east-1. */
  readonly homeRegion?: string;
}

const DEFAULT_FAILURE_MESSAGE =
  'The delegated administrator could not assume the configuration role in the target account.';

/** The write side of one running emulator. */
export class EmulatorWrites {
  readonly events = new EventLog();
  readonly associations: AssociationEngine;
  private readonly deferred: DeferredTasks;
  private failures: AssociationFailures;
  private readonly random;
  private readonly managementAccountId: string;
  private readonly auditAccountId: string;
  private readonly homeRegion: string;

  constructor(
    private readonly index: MutableOrgIndex,
    private readonly now: () => number,
    seed: Seed,
    private readonly options: EmulatorWriteOptions = {},
  ) {
    this.random = createRandom(seed, 'writes');
    this.failures = options.failAssociationsFor ?? new Set();
    this.deferred = new DeferredTasks(now);
    this.associations = new AssociationEngine(index, () => this.behaviour());
    this.managementAccountId = options.managementAccountId ?? index.org.organization.managementAccountId;
    this.auditAccountId = options.auditAccountId ?? this.managementAccountId;
    this.homeRegion = options.homeRegion ?? 'us-east-1';
  }

  /** Whether `operation` is a write this class serves. */
  static isWrite(operation: string): boolean {
    return (
      (ORGANIZATIONS_WRITE_OPERATIONS as readonly string[]).includes(operation) ||
      Object.values(SECURITYHUB_WRITE_ROUTES).includes(operation as SecurityHubWriteOperation)
    );
  }

  /** Replaces which targets' associations settle FAILED (from the next settlement on). */
  setAssociationFailures(failures: AssociationFailures): void {
    this.failures = failures;
  }

  /** Finishes the deferred account work and settles the associations whose time has come. */
  settleDue(): void {
    this.deferred.runDue();
    this.associations.settleDue();
  }

  /** Runs an Organizations write. */
  organizations(op: OrganizationsWriteOperation, input: Record<string, unknown>): object {
    return handleOrganizationsWrite(op, input, {
      index: this.index,
      associations: this.associations,
      deferred: this.deferred,
      random: this.random,
      now: this.now,
      settings: {
        createAccountMs: this.options.createAccountMs ?? 10_000,
        closeAccountMs: this.options.closeAccountMs ?? 10_000,
        ouQuota: this.options.ouQuota ?? 2_000,
      },
      emitCall: (eventName, request, response) =>
        this.emit('organizations', eventName, this.now(), { request, response }),
      emitServiceEvent: (eventName, time, serviceEventDetails) =>
        this.emit('organizations', eventName, time, { serviceEventDetails }),
    });
  }

  /** Runs a Security Hub write. */
  securityHub(op: SecurityHubWriteOperation, input: Record<string, unknown>): object {
    return handleSecurityHubWrite(op, input, {
      index: this.index,
      associations: this.associations,
      now: this.now,
      auditAccountId: this.auditAccountId,
      region: this.homeRegion,
      emitCall: (eventName, request, response) =>
        this.emit('securityhub', eventName, this.now(), { request, response }),
    });
  }

  private emit(
    service: 'organizations' | 'securityhub',
    eventName: EmulatedEventName,
    time: number,
    body: Pick<Parameters<typeof buildEvent>[0], 'request' | 'response' | 'serviceEventDetails'>,
  ): void {
    const account = service === 'organizations' ? this.managementAccountId : this.auditAccountId;
    const id = newUuid(this.random);
    this.events.emit(buildEvent({ service, eventName, account, region: this.homeRegion, time, id, ...body }));
  }

  private behaviour(): AssociationBehaviour {
    const failures = this.failures;
    const fails = typeof failures === 'function' ? failures : (id: string) => failures.has(id);
    const message = this.options.associationFailureMessage ?? DEFAULT_FAILURE_MESSAGE;
    return {
      now: this.now,
      settleMs: this.options.associationSettleMs ?? 5_000,
      failureFor: (targetId) => (fails(targetId) ? message : null),
    };
  }
}
