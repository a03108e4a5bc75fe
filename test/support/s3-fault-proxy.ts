/**
 * A tiny HTTP reverse proxy on 127.0.0.1 in front of s3rver that answers chosen requests
 * with S3's own error responses, so the real SDK `S3Client` (its retry strategy, its
 * error parsing) meets the fault, not a mock. Everything else is forwarded untouched:
 * method, path, headers (Host included, so the SigV4 signature still matches) and the
 * body bytes, piped as they come (chunked or `aws-chunked` framing is not interpreted).
 */
import { randomBytes } from 'node:crypto';
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** HTTP methods a rule can be limited to. */
export type S3FaultMethod = 'GET' | 'PUT' | 'HEAD' | 'POST' | 'DELETE';

/** The injected answer: 500 `InternalError` or 503 `SlowDown`, both retryable for the SDK. */
export type S3FaultStatus = 500 | 503;

/** Which requests to fail, and how often. */
export interface S3FaultRule {
  /** Only requests with this method; any method when absent. */
  readonly method?: S3FaultMethod;
  /**
   * Tested against the URL-decoded object key of the path-style URL `/<bucket>/<key>`
   * (no bucket, no query). Bucket-level requests (`/<bucket>`) have the key `''`.
   */
  readonly keyPattern: RegExp;
  /** The first this-many matching requests fail; later ones are forwarded. */
  readonly failures: number | 'forever';
  /** Default 500. */
  readonly status?: S3FaultStatus;
}

/** What happened to the requests for one object key. */
export interface S3KeyStats {
  /** PUTs forwarded to s3rver that it answered with 2xx (multipart part uploads count too). */
  readonly putsSucceeded: number;
  /** PUTs answered with an injected error; they never reached s3rver. */
  readonly putsFailed: number;
  /** Requests of any method answered with an injected error (`putsFailed` included). */
  readonly injectedFailures: number;
}

/** A running proxy. */
export interface S3FaultProxy {
  /** `http://127.0.0.1:<port>`: point the S3Client here (path style). */
  readonly endpoint: string;
  /** Replaces the rules and their failure counters. The first matching rule with failures left applies. */
  setRules(rules: readonly S3FaultRule[]): void;
  /** Per object key, since the start or the last {@link resetStats}. Keys never requested are absent. */
  stats(): Record<string, S3KeyStats>;
  resetStats(): void;
  close(): Promise<void>;
}

const ERRORS: Record<S3FaultStatus, { code: string; message: string }> = {
  500: { code: 'InternalError', message: 'We encountered an internal error. Please try again.' },
  503: { code: 'SlowDown', message: 'Please reduce your request rate.' },
};

/** Connection-level headers that belong to one hop, not to the request. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
]);

interface ActiveRule {
  readonly rule: S3FaultRule;
  failuresLeft: number;
}

interface ParsedPath {
  readonly bucket: string;
  readonly key: string;
}

/** `/<bucket>/<key>?query` → bucket and URL-decoded key; `null` when the path is not decodable. */
export function parseS3Path(url: string): ParsedPath | null {
  const path = url.split('?', 1)[0];
  const rest = path.replace(/^\/+/, '');
  const slash = rest.indexOf('/');
  const rawBucket = slash === -1 ? rest : rest.slice(0, slash);
  const rawKey = slash === -1 ? '' : rest.slice(slash + 1);
  try {
    return { bucket: decodeURIComponent(rawBucket), key: decodeURIComponent(rawKey) };
  } catch {
    return null;
  }
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The XML body and headers S3 sends with an error. */
function errorResponse(
  status: S3FaultStatus,
  path: ParsedPath | null,
): { body: string; headers: Record<string, string> } {
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  const hostId = randomBytes(24).toString('base64');
  const { code, message } = ERRORS[status];
  const resource =
    path === null
      ? ''
      : `<BucketName>${escapeXml(path.bucket)}</BucketName>${path.key ? `<Key>${escapeXml(path.key)}</Key>` : ''}`;
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${code}</Code><Message>${message}</Message>${resource}<RequestId>${requestId}</RequestId><HostId>${hostId}</HostId></Error>`;
  return {
    body,
    headers: {
      'content-type': 'application/xml',
      'content-length': String(Buffer.byteLength(body)),
      'x-amz-request-id': requestId,
      'x-amz-id-2': hostId,
    },
  };
}

function forwardableHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

/**
 * Starts the proxy on an ephemeral loopback port, forwarding to `targetEndpoint`
 * (`http://127.0.0.1:<port>` of s3rver). It starts with no rules: everything passes.
 */
export async function startS3FaultProxy(targetEndpoint: string): Promise<S3FaultProxy> {
  const target = new URL(targetEndpoint);
  if (target.protocol !== 'http:') throw new Error(`S3 fault proxy forwards to http only, got ${targetEndpoint}`);
  const agent = new Agent({ keepAlive: true });
  let rules: ActiveRule[] = [];
  let perKey = new Map<string, { putsSucceeded: number; putsFailed: number; injectedFailures: number }>();

  const keyStats = (key: string) => {
    let s = perKey.get(key);
    if (s === undefined) {
      s = { putsSucceeded: 0, putsFailed: 0, injectedFailures: 0 };
      perKey.set(key, s);
    }
    return s;
  };

  /** Takes one failure from the first matching rule that has any left. */
  const takeFault = (method: string, key: string): S3FaultStatus | null => {
    for (const active of rules) {
      const { rule } = active;
      if (rule.method !== undefined && rule.method !== method) continue;
      rule.keyPattern.lastIndex = 0; // a /g or /y pattern must not remember the previous key
      if (!rule.keyPattern.test(key)) continue;
      if (active.failuresLeft <= 0) continue;
      active.failuresLeft -= 1;
      return rule.status ?? 500;
    }
    return null;
  };

  const inject = (req: IncomingMessage, res: ServerResponse, status: S3FaultStatus, path: ParsedPath | null) => {
    const { body, headers } = errorResponse(status, path);
    // Read the whole body first: answering mid-upload would surface as EPIPE/ECONNRESET
    // in the client instead of the S3 error under test.
    req.resume();
    req.once('end', () => {
      res.writeHead(status, headers);
      res.end(body);
    });
  };

  const forward = (req: IncomingMessage, res: ServerResponse, onStatus: (status: number) => void) => {
    const upstream = httpRequest(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        // Host stays the proxy's: it is a signed header, and s3rver checks the signature against it.
        headers: forwardableHeaders(req.headers),
        agent,
      },
      (upstreamRes) => {
        onStatus(upstreamRes.statusCode ?? 0);
        res.writeHead(
          upstreamRes.statusCode ?? 502,
          upstreamRes.statusMessage,
          forwardableHeaders(upstreamRes.headers),
        );
        upstreamRes.pipe(res);
        upstreamRes.once('error', () => res.destroy());
      },
    );
    upstream.once('error', (error) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const body = `S3 fault proxy: upstream ${targetEndpoint} failed: ${error.message}`;
      res.writeHead(502, { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)) });
      res.end(body);
    });
    // The client went away: do not leave the upstream request hanging.
    res.once('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };

  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = parseS3Path(req.url ?? '/');
    const key = path?.key ?? '';
    const fault = path === null ? null : takeFault(method, key);
    if (fault !== null) {
      if (key !== '') {
        const s = keyStats(key);
        s.injectedFailures += 1;
        if (method === 'PUT') s.putsFailed += 1;
      }
      inject(req, res, fault, path);
      return;
    }
    forward(req, res, (status) => {
      if (method === 'PUT' && key !== '' && status >= 200 && status < 300) keyStats(key).putsSucceeded += 1;
    });
  });
  // The SDK keeps connections alive; without this, close() would wait for them to time out.
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    setRules(next) {
      for (const rule of next) {
        if (rule.failures !== 'forever' && (!Number.isInteger(rule.failures) || rule.failures < 0)) {
          throw new Error(`S3 fault rule failures must be a non-negative integer or 'forever', got ${rule.failures}`);
        }
      }
      rules = next.map((rule) => ({
        rule,
        failuresLeft: rule.failures === 'forever' ? Number.POSITIVE_INFINITY : rule.failures,
      }));
    },
    stats() {
      return Object.fromEntries([...perKey].map(([key, s]) => [key, { ...s }]));
    },
    resetStats() {
      perKey = new Map();
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await closed;
    },
  };
}
