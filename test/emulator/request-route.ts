/**
 * Tells which service and operation a request is for, and decodes its JSON body. One
 * listener serves both services: Organizations (AWS JSON 1.1) always sends X-Amz-Target,
 * Security Hub (REST-JSON) never does and is routed by path instead.
 */
import type { IncomingMessage } from 'node:http';
import { ORGANIZATIONS_OPERATIONS, ORGANIZATIONS_TARGET_PREFIX } from './organizations-api';
import { SECURITYHUB_GET_ROUTES, SECURITYHUB_ROUTES } from './securityhub-api';
import { ORGANIZATIONS_WRITE_OPERATIONS } from './organizations-writes';
import { SECURITYHUB_WRITE_ROUTES, type SecurityHubWriteOperation } from './securityhub-writes';
import { KMS_OPERATIONS, KMS_TARGET_PREFIX } from './kms-api';
import { EmulatedServiceError, securityHubInvalidInput } from './service-error';

/** The two audited services; KMS is routed apart (see {@link routeOf}). */
export type Service = 'organizations' | 'securityHub';

/** A served operation, or an unknown one with the status and encoding to reject it with. */
export type Route =
  | {
      readonly service: Service | 'kms';
      readonly operation: string;
      /** Members the REST path carries, e.g. UpdateConfigurationPolicy's `Identifier`. */
      readonly pathInput?: Readonly<Record<string, string>>;
    }
  | { readonly service: null; readonly operation: string; readonly status: number; readonly json11: boolean };

/** Organizations by X-Amz-Target, Security Hub by POST path; anything else is unknown. */
export function routeOf(req: IncomingMessage): Route {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    if (target.startsWith(KMS_TARGET_PREFIX)) {
      const kmsOp = target.slice(KMS_TARGET_PREFIX.length);
      if ((KMS_OPERATIONS as readonly string[]).includes(kmsOp)) return { service: 'kms', operation: kmsOp };
    }
    const op = target.startsWith(ORGANIZATIONS_TARGET_PREFIX) ? target.slice(ORGANIZATIONS_TARGET_PREFIX.length) : '';
    if ((ORGANIZATIONS_OPERATIONS as readonly string[]).includes(op) || isOrganizationsWrite(op))
      return { service: 'organizations', operation: op };
    return { service: null, operation: target, status: 400, json11: true };
  }
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const write = securityHubWrite(req.method ?? '', path);
  if (write) return write;
  const op = req.method === 'GET' ? SECURITYHUB_GET_ROUTES[path] : SECURITYHUB_ROUTES[path];
  if (op && (req.method === 'POST' || req.method === 'GET')) return { service: 'securityHub', operation: op };
  return { service: null, operation: `${req.method} ${path}`, status: 404, json11: false };
}

function isOrganizationsWrite(op: string): boolean {
  return (ORGANIZATIONS_WRITE_OPERATIONS as readonly string[]).includes(op);
}

const POLICY_PATH = /^\/configurationPolicy\/([^/]+)$/;

/** The Security Hub write routes; the policy id of `PATCH /configurationPolicy/{Identifier}` is URI-encoded. */
function securityHubWrite(method: string, path: string): Route | null {
  const fixed = (SECURITYHUB_WRITE_ROUTES as Readonly<Record<string, SecurityHubWriteOperation>>)[`${method} ${path}`];
  if (fixed) return { service: 'securityHub', operation: fixed };
  const match = method === 'PATCH' ? POLICY_PATH.exec(path) : null;
  if (!match) return null;
  let identifier: string;
  try {
    identifier = decodeURIComponent(match[1]);
  } catch {
    return null;
  }
  return { service: 'securityHub', operation: 'UpdateConfigurationPolicy', pathInput: { Identifier: identifier } };
}

/** A GET request's input: its query string's parameters (REST-JSON puts every member there). */
export function queryInput(req: IncomingMessage): Record<string, unknown> {
  const url = new URL(req.url ?? '/', 'http://emulator.invalid');
  return Object.fromEntries(url.searchParams.entries());
}

/** The request's JSON object; an empty body is `{}` (the SDK sends `{}` anyway). */
export function parseInput(body: string, service: Service): Record<string, unknown> {
  if (body.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // Reported below, in the service's own words.
  }
  throw service === 'organizations'
    ? new EmulatedServiceError('SerializationException', 400, 'The request body is not valid JSON.')
    : securityHubInvalidInput('The request body is not valid JSON.');
}
