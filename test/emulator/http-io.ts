/**
 * Low-level HTTP reading and writing for the emulator, plus the two AWS error encodings.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatedServiceError } from './service-error';

/** Requests larger than this are refused; real batch requests are a few KB. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Content type of Organizations (AWS JSON 1.1) requests and responses. */
export const AMZ_JSON_11 = 'application/x-amz-json-1.1';

/** Reads the whole request body as UTF-8. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new Error(`request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Writes a JSON response with the request id header every AWS response carries. */
export function sendJson(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: unknown,
  extraHeaders: Readonly<Record<string, string>> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(payload),
    'x-amzn-RequestId': randomUUID(),
    ...extraHeaders,
  });
  res.end(payload);
}

/**
 * AWS JSON 1.1 error: the code travels in the body's `__type`, which is where the SDK's
 * JSON-RPC error parser looks first.
 */
export function sendJson11Error(res: ServerResponse, error: EmulatedServiceError): void {
  sendJson(res, error.httpStatus, AMZ_JSON_11, { __type: error.code, Message: error.message, ...error.fields });
}

/**
 * REST-JSON error: the code travels in the `x-amzn-ErrorType` header, which the SDK's
 * REST-JSON error parser reads before the body.
 */
export function sendRestJsonError(res: ServerResponse, error: EmulatedServiceError): void {
  sendJson(
    res,
    error.httpStatus,
    'application/json',
    { Message: error.message, ...error.fields },
    { 'x-amzn-ErrorType': error.code },
  );
}
