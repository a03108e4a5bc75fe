/**
 * The emulator's HTTP server: one listener on 127.0.0.1 serving both Organizations and
 * Security Hub, with fault injection (latency, throttle storms, dropped and stalled
 * connections, quota, 5xx) in front of both.
 */
import { InvalidInputExceptionReason } from '@aws-sdk/client-organizations';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { activateFaults, realClock, serverError, throttleError, type ActiveFaults } from './active-faults';
import { dropConnection, StalledRequests } from './connection-faults';
import type { EmulatorFaults, UnprocessedRule } from './emulator-faults';
import { StatsRecorder, type EmulatorStats } from './emulator-stats';
import { FindingsStore, type FindingsStoreStats, type StoredFinding } from './findings-store';
import { generateOrganization } from './generate-organization';
import type { GeneratedOrg } from './generated-org';
import type { GenerateOrganizationOptions } from './generator-options';
import { AMZ_JSON_11, readBody, sendJson, sendJson11Error, sendRestJsonError } from './http-io';
import { buildOrgIndex } from './org-index';
import { handleOrganizations, type OrganizationsOperation } from './organizations-api';
import { PageTokenCodec } from './page-token';
import type { PagingContext } from './paging';
import { parseInput, queryInput, routeOf, type Service } from './request-route';
import { handleSecurityHub, type SecurityHubOperation } from './securityhub-api';
import { EmulatedKms, type KmsOperation } from './kms-api';
import type { EmulatorEvent, EventListener } from './cloudtrail-events';
import { EmulatorWrites, type AssociationFailures, type EmulatorWriteOptions } from './emulator-writes';
import type { OrganizationsWriteOperation } from './organizations-writes';
import type { SecurityHubWriteOperation } from './securityhub-writes';
import { EmulatedServiceError, organizationsInvalidInput, securityHubInvalidInput } from './service-error';

/** How to start the emulator. */
export interface StartEmulatorOptions {
  /** A generated organization, or options to generate one. */
  readonly org: GeneratedOrg | GenerateOrganizationOptions;
  /** Default: no faults. */
  readonly faults?: EmulatorFaults;
  /** TCP port on 127.0.0.1; default `0` (any free port). */
  readonly port?: number;
  /**
   * Millisecond clock for the quota buckets and throttle storms; default real time
   * (`performance.now`). Latency and stalls always use real time.
   */
  readonly clock?: () => number;
  /**
   * Seed of the emulated KMS keys, so they are the same on every start (the demo's second run
   * verifies the first run's reports).
   * @default random keys
   */
  readonly kmsSeed?: string;
  /**
   * Epoch-millisecond clock of the write calls: when associations settle, when created
   * accounts appear, and the time of the emitted events. Default `Date.now`.
   */
  readonly now?: () => number;
  /** How the write calls behave (settle delays, failing targets, event accounts). */
  readonly writes?: EmulatorWriteOptions;
  /**
   * True: write calls do not take from the services' quota buckets (they are still counted,
   * and still get the other faults), so an administrator's burst of changes does not throttle
   * the audit's reads in a benchmark that compares those reads with a run without changes.
   * @default false
   */
  readonly writesOutsideQuota?: boolean;
}

/** A started emulator. */
export interface RunningEmulator {
  /** `http://127.0.0.1:PORT`, for the SDK clients' `endpoint` or the AWS_ENDPOINT_URL_* variables. */
  readonly endpoint: string;
  readonly org: GeneratedOrg;
  /** A snapshot of the counters since start or the last `resetStats()`. */
  stats(): EmulatorStats;
  resetStats(): void;
  /**
   * Replaces all faults; quotas start full, unprocessed attempt counts start at zero and
   * throttle storms start now. Throws EmulatorConfigError for invalid settings (the old
   * faults then stay in force).
   */
  setFaults(faults: EmulatorFaults): void;
  /** Targets an unprocessed rule currently selects, with that rule: ground truth for tests. */
  unprocessedTargets(): ReadonlyMap<string, UnprocessedRule>;
  /**
   * The same targets, each with the number of batch-gets that answer it "unprocessed"
   * before one processes it: the rule's `attempts`, or the target's own draw when the rule
   * gives a `{ min, max }` range.
   */
  unprocessedAttempts(): ReadonlyMap<string, number | 'forever'>;
  /** Findings BatchImportFindings stored, with their import counts: ground truth for tests. */
  findings(): readonly StoredFinding[];
  /** Counters of the findings store (customer fields ignored, failed findings). */
  findingsStats(): FindingsStoreStats;
  /**
   * Sets fields of a stored finding as a customer's BatchUpdateFindings would (Note,
   * Workflow, Severity, Types…); later imports keep them.
   */
  updateFindingAsCustomer(
    productArn: string,
    id: string,
    patch: Parameters<FindingsStore['updateAsCustomer']>[2],
  ): void;
  /** The emulated KMS: its HMAC keys (`keyId` is the audit's) and an outage switch. */
  readonly kms: EmulatedKms;
  /**
   * Registers a listener for the CloudTrail-shaped EventBridge event of every successful
   * write (and of each finished account creation); returns the function that unregisters it.
   */
  onEvent(listener: EventListener): () => void;
  /** Every event emitted so far, oldest first. */
  events(): readonly EmulatorEvent[];
  /**
   * Applies what is due on the `now` clock: finished account creations and closures, settled
   * associations. Every request does this first; call it to see the effect without one.
   */
  settle(): void;
  /** Targets PENDING because of a write, with the epoch ms they settle at. */
  pendingAssociations(): ReadonlyMap<string, number>;
  /** Replaces which targets' associations settle FAILED. */
  setAssociationFailures(failures: AssociationFailures): void;
  /** Stops listening and drops open keep-alive connections and stalled requests. */
  close(): Promise<void>;
}

function isGeneratedOrg(org: GeneratedOrg | GenerateOrganizationOptions): org is GeneratedOrg {
  return (org as GeneratedOrg).associations instanceof Map;
}

/** Starts the emulator on 127.0.0.1. Resolves once it is listening. */
export async function startEmulator(options: StartEmulatorOptions): Promise<RunningEmulator> {
  const index = buildOrgIndex(isGeneratedOrg(options.org) ? options.org : generateOrganization(options.org));
  // The emulator's own copy: write calls change it, and it is the ground truth tests read.
  const org = index.org;
  const stats = new StatsRecorder();
  const codec = new PageTokenCodec();
  const clock = options.clock ?? realClock;
  const stalls = new StalledRequests();
  let active = activateFaults(options.faults ?? {}, index, clock);
  const findings = new FindingsStore();
  const writes = new EmulatorWrites(index, options.now ?? Date.now, org.seed, options.writes);
  const kms = new EmulatedKms(options.kmsSeed);
  findings.setFailureRules(active.faults.securityHub?.importFailures ?? []);

  const pagingFor = (service: Service, current: ActiveFaults): PagingContext => ({
    codec,
    seed: current.seed,
    // Only Organizations documents empty pages; Security Hub pages stay full.
    emptyPageFraction: service === 'organizations' ? (current.faults.organizations?.emptyPageFraction ?? 0) : 0,
    alwaysNextToken: service === 'organizations' && current.faults.organizations?.alwaysNextToken === true,
    invalidToken: () =>
      service === 'organizations'
        ? organizationsInvalidInput(
            InvalidInputExceptionReason.INVALID_PAGINATION_TOKEN,
            'The NextToken value is not valid. Get it from the response to a previous call of the operation.',
          )
        : securityHubInvalidInput('The NextToken value is not valid.'),
    onEmptyPage: () => stats.add('emptyPagesServed', 1),
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const route = routeOf(req);
    if (route.service === null) {
      stats.count('clientErrors', route.operation);
      const error = new EmulatedServiceError(
        'UnknownOperationException',
        route.status,
        `The emulator does not serve ${route.operation}.`,
      );
      return route.json11 ? sendJson11Error(res, error) : sendRestJsonError(res, error);
    }
    if (route.service === 'kms') return serveKms(route.operation as KmsOperation, body, res);
    // Work the emulated services finish in the background is done before anything is answered.
    writes.settleDue();
    const { service, operation } = route;
    const sendError = service === 'organizations' ? sendJson11Error : sendRestJsonError;
    stats.count('requests', operation);

    const latencyMs = active.faults[service]?.latencyMs;
    if (latencyMs) await sleep(latencyMs);
    // `active` may have been replaced during the sleep; decide on the faults in force now.
    const current = active;
    const faults = current.faults[service];
    if (clock() < current.stormUntil[service]) {
      stats.count('throttles', operation);
      return sendError(res, throttleError(service));
    }
    if (faults?.dropConnectionFraction && current.dropRandom[service].next() < faults.dropConnectionFraction) {
      stats.count('droppedConnections', operation);
      return dropConnection(res);
    }
    if (faults?.stall && current.stallRandom[service].next() < faults.stall.fraction) {
      stats.count('stalledRequests', operation);
      return stalls.hold(res, faults.stall.ms);
    }
    const bucket =
      options.writesOutsideQuota && EmulatorWrites.isWrite(operation) ? undefined : current.buckets[service];
    const own = operation === 'GetFindings' ? current.getFindingsBucket : undefined;
    if ((bucket && !bucket.tryTake()) || (own && !own.tryTake())) {
      stats.count('throttles', operation);
      return sendError(res, throttleError(service));
    }
    const random = current.errorRandom[service];
    if (faults?.serverErrorFraction && random.next() < faults.serverErrorFraction) {
      stats.count('serverErrors', operation);
      return sendError(res, serverError(service, random.next() < 0.5 ? 500 : 503));
    }

    try {
      const input = { ...(req.method === 'GET' ? queryInput(req) : parseInput(body, service)), ...route.pathInput };
      const output = EmulatorWrites.isWrite(operation)
        ? service === 'organizations'
          ? writes.organizations(operation as OrganizationsWriteOperation, input)
          : writes.securityHub(operation as SecurityHubWriteOperation, input)
        : service === 'organizations'
          ? handleOrganizations(operation as OrganizationsOperation, input, {
              index,
              paging: pagingFor(service, current),
              responses: current.organizationsResponses,
              onMalformed: (count) => stats.add('malformedServed', count),
            })
          : handleSecurityHub(operation as SecurityHubOperation, input, {
              index,
              paging: pagingFor(service, current),
              unprocessed: current.unprocessed,
              maxBatchSize: current.faults.securityHub?.maxBatchSize,
              batchGetError: current.faults.securityHub?.batchGetError,
              findings,
              malformed: current.securityHubMalformed,
              onBatch: (requested, unprocessed, malformed) => {
                stats.add('batchGetTargetsRequested', requested);
                stats.add('unprocessedServed', unprocessed);
                stats.add('malformedServed', malformed);
              },
            });
      sendJson(res, 200, service === 'organizations' ? AMZ_JSON_11 : 'application/json', output);
    } catch (err) {
      if (!(err instanceof EmulatedServiceError)) throw err;
      stats.count(err.httpStatus >= 500 ? 'serverErrors' : 'clientErrors', operation);
      sendError(res, err);
    }
  }

  /** KMS, outside the Organizations and Security Hub fault injection: its outage is `kms.failure`. */
  function serveKms(operation: KmsOperation, body: string, res: ServerResponse): void {
    stats.count('requests', operation);
    try {
      sendJson(res, 200, AMZ_JSON_11, kms.handle(operation, parseInput(body, 'organizations')));
    } catch (err) {
      if (!(err instanceof EmulatedServiceError)) throw err;
      stats.count(err.httpStatus >= 500 ? 'serverErrors' : 'clientErrors', operation);
      sendJson11Error(res, err);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Only reached through a bug in the emulator itself; answer rather than hang the client.
      if (!res.headersSent) sendJson(res, 500, 'application/json', { Message: `emulator failure: ${String(err)}` });
      else res.destroy();
    });
  });
  await listen(server, options.port ?? 0);
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    org,
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    setFaults: (faults) => {
      const next = activateFaults(faults, index, clock);
      findings.setFailureRules(faults.securityHub?.importFailures ?? []);
      active = next;
    },
    kms,
    findings: () => findings.all(),
    findingsStats: () => findings.counters(),
    updateFindingAsCustomer: (productArn, id, patch) => findings.updateAsCustomer(productArn, id, patch),
    unprocessedTargets: () => {
      const out = new Map<string, UnprocessedRule>();
      for (const [id, type] of index.targetTypes) {
        const rule = active.unprocessed.ruleFor(id, type);
        if (rule) out.set(id, rule);
      }
      return out;
    },
    unprocessedAttempts: () => {
      const out = new Map<string, number | 'forever'>();
      for (const [id, type] of index.targetTypes) {
        const attempts = active.unprocessed.attemptsFor(id, type);
        if (attempts !== null) out.set(id, attempts);
      }
      return out;
    },
    onEvent: (listener) => writes.events.subscribe(listener),
    events: () => writes.events.all(),
    settle: () => writes.settleDue(),
    pendingAssociations: () => writes.associations.pending(),
    setAssociationFailures: (failures) => writes.setAssociationFailures(failures),
    close: () => {
      stalls.clear();
      return closeServer(server);
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // 127.0.0.1 only: the emulator must never be reachable from elsewhere.
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    // Keep-alive sockets of SDK clients would otherwise hold close() open.
    server.closeAllConnections();
  });
}
