/**
 * Limits on what the audit reads back from the report store. Every object there (the
 * previous run, `latest/`, documents) is untrusted input: a gzip bomb, a huge object or
 * deeply nested JSON must end in a clear verdict naming the object, never in an
 * out-of-memory crash, a stack overflow or a misleading message.
 */
import { gunzipSync } from 'node:zlib';
import { displaySafe } from '../util/display-text';
import { ObjectTooLargeError, ReportFormatError } from '../errors';

/**
 * Largest object read from the report store, in bytes as stored (gzip for associations):
 * 64 MiB, far above the ~1 MiB associations object of a 10,000-account organization.
 */
export const MAX_STORED_OBJECT_BYTES = 64 * 1024 * 1024;

/**
 * Largest associations object once inflated: 256 MiB, about 200,000 rows of the widest kind.
 * @internal Exported for its tests.
 */
export const MAX_INFLATED_BYTES = 256 * 1024 * 1024;

/** Largest run summary object (`runs/…`, `latest/run.json`): 8 MiB, room for 300,000 departed ids. */
export const MAX_RUN_OBJECT_BYTES = 8 * 1024 * 1024;

/** Deepest JSON nesting accepted in a report object; rows and summaries are 2 deep (object, array). */
const MAX_JSON_DEPTH = 8;

/**
 * Inflates gzip data, refusing to produce more than `maxBytes`.
 * @throws ObjectTooLargeError when it inflates beyond the limit (a gzip bomb).
 * @throws ReportFormatError when it is not gzip data.
 */
export function gunzipBounded(buffer: Buffer, source: string, maxBytes = MAX_INFLATED_BYTES): Buffer {
  try {
    return gunzipSync(buffer, { maxOutputLength: maxBytes });
  } catch (error) {
    if (error instanceof RangeError || (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ObjectTooLargeError(source, maxBytes, 'inflated content');
    }
    throw new ReportFormatError(`${source}: not gzip data`, { cause: error });
  }
}

/**
 * Deepest nesting of `[`/`{` in JSON text, ignoring brackets inside strings. Linear, no recursion.
 * @internal Exported for its tests.
 */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth -= 1;
  }
  return deepest;
}

/**
 * `JSON.parse` with the nesting checked first, so a hostile object cannot exhaust the
 * stack of the parser or of anything that walks the value afterwards.
 * @param source names the object (and line) in error messages.
 * @throws ReportFormatError on invalid JSON or nesting deeper than `maxDepth`.
 */
export function parseJsonBounded(text: string, source: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (jsonDepth(text) > maxDepth) {
    throw new ReportFormatError(`${source}: JSON nested deeper than ${maxDepth} levels`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ReportFormatError(`${source}: not valid JSON (starts ${JSON.stringify(displaySafe(text, 40))})`, {
      cause: error,
    });
  }
}
