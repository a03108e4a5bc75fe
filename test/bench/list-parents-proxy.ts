/**
 * Organizations' ListParents for the naive baseline, without touching the emulator: a
 * proxy on 127.0.0.1 in front of it that passes every request through unchanged, except
 * ListParents, which it forwards as DescribeOrganization. That request goes through the
 * emulator's Organizations quota, 5xx injection and counters like any other call; a
 * throttle or 5xx answer is relayed as is, and a successful answer is replaced by the
 * child's parent from the generated organization. The emulator's stats then count the
 * ListParents calls under DescribeOrganization, which nothing else in the benchmark calls
 * ({@link renameOperation} moves them back).
 */
import { createServer, request, Agent, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmulatorStats, GeneratedOrg } from '../emulator';

/** X-Amz-Target of the operation served here, and of the one it stands in for. */
const LIST_PARENTS = 'AWSOrganizationsV20161128.ListParents';
const STAND_IN = 'AWSOrganizationsV20161128.DescribeOrganization';
const AMZ_JSON_11 = 'application/x-amz-json-1.1';

/** A running proxy. */
export interface ListParentsProxy {
  readonly endpoint: string;
  close(): Promise<void>;
}

interface Upstream {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Starts the proxy in front of `upstream` (`http://127.0.0.1:PORT`). */
export async function startListParentsProxy(upstream: string, org: Pick<GeneratedOrg, 'roots' | 'ous' | 'accounts'>): Promise<ListParentsProxy> {
  const target = new URL(upstream);
  const agent = new Agent({ keepAlive: true });
  const rootIds = new Set(org.roots.map((r) => r.id));
  const parentOf = new Map<string, string>();
  for (const ou of org.ous) parentOf.set(ou.id, ou.parentId);
  for (const account of org.accounts) parentOf.set(account.id, account.parentId);

  const forward = (req: IncomingMessage, headers: IncomingMessage['headers'], body: Buffer): Promise<Upstream> =>
    new Promise((resolve, reject) => {
      const out = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...headers, 'content-length': String(body.length) }, agent },
        (res) => void readAll(res).then((b) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: b }), reject),
      );
      out.on('error', reject);
      out.end(body);
    });

  const reply = (res: ServerResponse, status: number, headers: IncomingMessage['headers'], body: Buffer | string): void => {
    const { connection: _connection, 'keep-alive': _keepAlive, 'transfer-encoding': _te, ...rest } = headers;
    res.writeHead(status, { ...rest, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readAll(req);
    if (req.headers['x-amz-target'] !== LIST_PARENTS) {
      const answer = await forward(req, req.headers, body);
      return reply(res, answer.status, answer.headers, answer.body);
    }
    const childId = (JSON.parse(body.toString('utf8') || '{}') as { ChildId?: unknown }).ChildId;
    const parentId = typeof childId === 'string' ? parentOf.get(childId) : undefined;
    if (parentId === undefined) {
      const error = { __type: 'ChildNotFoundException', Message: "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified." };
      return reply(res, 400, { 'content-type': AMZ_JSON_11 }, JSON.stringify(error));
    }
    // Pays the quota and faces the faults exactly like any Organizations request.
    const answer = await forward(req, { ...req.headers, 'x-amz-target': STAND_IN }, Buffer.from('{}'));
    if (answer.status !== 200) return reply(res, answer.status, answer.headers, answer.body);
    const parents = { Parents: [{ Id: parentId, Type: rootIds.has(parentId) ? 'ROOT' : 'ORGANIZATIONAL_UNIT' }] };
    reply(res, 200, answer.headers, JSON.stringify(parents));
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) reply(res, 502, { 'content-type': 'text/plain' }, `proxy failure: ${String(error)}`);
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Stats with every per-operation count of `from` moved to `to`. */
export function renameOperation(stats: EmulatorStats, from: string, to: string): EmulatorStats {
  const move = (counts: Readonly<Record<string, number>>): Record<string, number> => {
    const { [from]: moved, ...rest } = counts;
    return moved === undefined ? rest : { ...rest, [to]: (rest[to] ?? 0) + moved };
  };
  return {
    ...stats,
    requests: move(stats.requests),
    throttles: move(stats.throttles),
    serverErrors: move(stats.serverErrors),
    clientErrors: move(stats.clientErrors),
  };
}
