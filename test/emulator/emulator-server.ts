/**
 * The emulator's HTTP server: one listener on 127.0.0.1 serving both Organizations and
 * Security Hub, with fault injection (latency, quota, 5xx) in front of both.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { activateFaults, serverError, throttleError } from './active-faults';
import type { EmulatorFaults, UnprocessedRule } from './emulator-faults';
import { StatsRecorder, type EmulatorStats } from './emulator-stats';
import { generateOrganization } from './generate-organization';
import type { GeneratedOrg } from './generated-org';
import type { GenerateOrganizationOptions } from './generator-options';
import { AMZ_JSON_11, readBody, sendJson, sendJson11Error, sendRestJsonError } from './http-io';
import { buildOrgIndex } from './org-index';
import { handleOrganizations, type OrganizationsOperation } from './organizations-api';
import { PageTokenCodec } from './page-token';
import type { PagingContext } from './paging';
import { parseInput, routeOf, type Service } from './request-route';
import { handleSecurityHub, type SecurityHubOperation } from './securityhub-api';
import { EmulatedServiceError, organizationsInvalidInput, securityHubInvalidInput } from './service-error';

/** How to start the emulator. */
export interface StartEmulatorOptions {
  /** A generated organization, or options to generate one. */
  readonly org: GeneratedOrg | GenerateOrganizationOptions;
  /** Default: no faults. */
  readonly faults?: EmulatorFaults;
  /** TCP port on 127.0.0.1; default `0` (any free port). */
  readonly port?: number;
  /** Millisecond clock for the quota buckets; default real time (`performance.now`). */
  readonly clock?: () => number;
}

/** A started emulator. */
export interface RunningEmulator {
  /** `http://127.0.0.1:PORT`, for the SDK clients' `endpoint` or the AWS_ENDPOINT_URL_* variables. */
  readonly endpoint: string;
  readonly org: GeneratedOrg;
  /** A snapshot of the counters since start or the last `resetStats()`. */
  stats(): EmulatorStats;
  resetStats(): void;
  /** Replaces all faults; quotas start full and unprocessed attempt counts start at zero. */
  setFaults(faults: EmulatorFaults): void;
  /** Targets an unprocessed rule currently selects, with that rule: ground truth for tests. */
  unprocessedTargets(): ReadonlyMap<string, UnprocessedRule>;
  /** Stops listening and drops open keep-alive connections. */
  close(): Promise<void>;
}

function isGeneratedOrg(org: GeneratedOrg | GenerateOrganizationOptions): org is GeneratedOrg {
  return (org as GeneratedOrg).associations instanceof Map;
}

/** Starts the emulator on 127.0.0.1. Resolves once it is listening. */
export async function startEmulator(options: StartEmulatorOptions): Promise<RunningEmulator> {
  const org = isGeneratedOrg(options.org) ? options.org : generateOrganization(options.org);
  const index = buildOrgIndex(org);
  const stats = new StatsRecorder();
  const codec = new PageTokenCodec();
  let active = activateFaults(options.faults ?? {}, org.seed, options.clock);

  const pagingFor = (service: Service): PagingContext => ({
    codec,
    seed: active.seed,
    // Only Organizations documents empty pages; Security Hub pages stay full.
    emptyPageFraction: service === 'organizations' ? (active.faults.organizations?.emptyPageFraction ?? 0) : 0,
    invalidToken: () =>
      service === 'organizations'
        ? organizationsInvalidInput('INVALID_PAGINATION_TOKEN', 'The NextToken value is not valid. Get it from the response to a previous call of the operation.')
        : securityHubInvalidInput('The NextToken value is not valid.'),
    onEmptyPage: () => stats.add('emptyPagesServed', 1),
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const route = routeOf(req);
    if (route.service === null) {
      stats.count('clientErrors', route.operation);
      const error = new EmulatedServiceError('UnknownOperationException', route.status, `The emulator does not serve ${route.operation}.`);
      return route.json11 ? sendJson11Error(res, error) : sendRestJsonError(res, error);
    }
    const { service, operation } = route;
    const sendError = service === 'organizations' ? sendJson11Error : sendRestJsonError;
    const faults = active.faults[service];
    stats.count('requests', operation);

    if (faults?.latencyMs) await sleep(faults.latencyMs);
    const bucket = active.buckets[service];
    if (bucket && !bucket.tryTake()) {
      stats.count('throttles', operation);
      return sendError(res, throttleError(service));
    }
    const random = active.errorRandom[service];
    if (faults?.serverErrorFraction && random.next() < faults.serverErrorFraction) {
      stats.count('serverErrors', operation);
      return sendError(res, serverError(service, random.next() < 0.5 ? 500 : 503));
    }

    try {
      const input = parseInput(body, service);
      const output =
        service === 'organizations'
          ? handleOrganizations(operation as OrganizationsOperation, input, index, pagingFor(service))
          : handleSecurityHub(operation as SecurityHubOperation, input, {
              index,
              paging: pagingFor(service),
              unprocessed: active.unprocessed,
              maxBatchSize: active.faults.securityHub?.maxBatchSize,
              onBatch: (requested, unprocessed) => {
                stats.add('batchGetTargetsRequested', requested);
                stats.add('unprocessedServed', unprocessed);
              },
            });
      sendJson(res, 200, service === 'organizations' ? AMZ_JSON_11 : 'application/json', output);
    } catch (err) {
      if (!(err instanceof EmulatedServiceError)) throw err;
      stats.count(err.httpStatus >= 500 ? 'serverErrors' : 'clientErrors', operation);
      sendError(res, err);
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
      active = activateFaults(faults, org.seed, options.clock);
    },
    unprocessedTargets: () => {
      const out = new Map<string, UnprocessedRule>();
      for (const [id, type] of index.targetTypes) {
        const rule = active.unprocessed.ruleFor(id, type);
        if (rule) out.set(id, rule);
      }
      return out;
    },
    close: () => closeServer(server),
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
