import { visit, type JSONPath } from 'jsonc-parser';
import type { z } from 'zod';
import { displaySafe } from '../util/display-text';
import { DocumentTooDeep } from '../errors';

/*
 * Shared plumbing of the baseline and exclusions parsers: bounded, strict JSON parsing
 * and turning zod issues into short messages that point at the exact spot in the document.
 * Documents come from outside (an S3 object, a file named on the command line), so
 * nothing about them is trusted: size, depth, keys and values are all checked, and
 * whatever a message echoes is display-safe and cut short.
 */

/** Largest document accepted, in UTF-8 bytes. A baseline of 10,000 accounts is about 600 KB. */
export const MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;
/**
 * Deepest nesting of objects and arrays accepted; both documents need 3.
 * @internal Exported for its tests.
 */
export const MAX_JSON_DEPTH = 16;
/** Longest rendering of a bad value or key in a message, in characters. */
const MAX_ECHOED_VALUE = 60;
/**
 * Problems listed in one message; the rest are counted ("and N more").
 * @internal Exported for its tests.
 */
export const MAX_LISTED_PROBLEMS = 10;

/** A bounded, display-safe rendering of any value from a document: JSON-quoted and cut. */
export function quoteValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return displaySafe(text, MAX_ECHOED_VALUE);
}

/**
 * Renders a path as a JSON-ish accessor: `targets["ou-ab12-cd34ef56"]`, `exclusions[2].expires`.
 * Segments naming a document field use dot notation; any other key (a target id in a
 * map) is quoted in brackets so it reads unambiguously, whatever it looks like.
 */
function formatPath(path: readonly PropertyKey[], fields: ReadonlySet<string>): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && fields.has(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${quoteValue(String(segment))}]`;
  }
  return out === '' ? '(document)' : out;
}

/** At most {@link MAX_LISTED_PROBLEMS} problems joined with `; `, then "and N more". */
function joinProblems(problems: readonly string[]): string {
  const shown = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => displaySafe(p, 400));
  const more = problems.length - shown.length;
  return more > 0 ? `${shown.join('; ')}; and ${more} more` : shown.join('; ');
}

/** One entry per issue, `path: problem`, bounded by {@link joinProblems}. */
export function describeIssues(error: z.ZodError, fields: ReadonlySet<string>): string {
  return joinProblems(error.issues.map((issue) => `${formatPath(issue.path, fields)}: ${issue.message}`));
}

/** What the structural pass found; `tooDeep` stops it at once. */
interface Structure {
  readonly keyProblems: string[];
  tooDeep?: string;
}

/**
 * One pass of a strict JSON tokenizer over the text, before any value is built: JSON.parse
 * keeps the last of duplicate keys without a word, and a `__proto__` key would later be
 * dropped or misread by code that builds objects. Nesting deeper than {@link MAX_JSON_DEPTH}
 * stops the pass at once, so neither this pass nor anything after it recurses without bound.
 * Syntax errors are left to JSON.parse, which reports them in the usual words.
 */
function checkStructure(text: string, fields: ReadonlySet<string>): Structure {
  const found: Structure = { keyProblems: [] };
  const keysOfOpenObjects: Map<string, number>[] = [];
  let depth = 0;
  const enter = (path: () => JSONPath) => {
    depth += 1;
    if (depth > MAX_JSON_DEPTH) {
      found.tooDeep = `nested deeper than ${MAX_JSON_DEPTH} levels at ${formatPath(path(), fields)}`;
      throw new DocumentTooDeep();
    }
  };
  try {
    visit(
      text,
      {
        onObjectBegin: (_o, _l, _line, _c, path) => {
          enter(path);
          keysOfOpenObjects.push(new Map());
        },
        onObjectEnd: () => {
          depth -= 1;
          keysOfOpenObjects.pop();
        },
        onArrayBegin: (_o, _l, _line, _c, path) => enter(path),
        onArrayEnd: () => {
          depth -= 1;
        },
        onObjectProperty: (key, _offset, _length, line, _c, path) => {
          const keys = keysOfOpenObjects.at(-1);
          const where = formatPath(path(), fields);
          if (key === '__proto__') {
            found.keyProblems.push(`${where}: key "__proto__" is not allowed`);
          } else if (keys?.has(key)) {
            found.keyProblems.push(
              `${where}: duplicate key ${quoteValue(key)} (lines ${keys.get(key)! + 1} and ${line + 1}); keep one`,
            );
          } else {
            keys?.set(key, line);
          }
        },
      },
      { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
    );
  } catch (error) {
    if (!(error instanceof DocumentTooDeep)) throw error;
  }
  return found;
}

/**
 * Parses the text of a document strictly and within bounds. Tolerates a leading
 * byte-order mark. Returns the problem instead of throwing, so each document's parser
 * wraps it in its own error type.
 *
 * Rejected: more than {@link MAX_DOCUMENT_BYTES}, nesting deeper than {@link MAX_JSON_DEPTH},
 * invalid JSON, a duplicate key in any object, a `__proto__` key.
 */
export function parseJson(
  text: string,
  fields: ReadonlySet<string>,
): { ok: true; value: unknown } | { ok: false; problem: string; cause?: unknown } {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_DOCUMENT_BYTES) {
    return { ok: false, problem: `too large: ${bytes} bytes, at most ${MAX_DOCUMENT_BYTES} accepted` };
  }
  const body = text.replace(/^\uFEFF/, '');
  const structure = checkStructure(body, fields);
  if (structure.tooDeep !== undefined) return { ok: false, problem: structure.tooDeep };
  let value: unknown;
  try {
    value = JSON.parse(body) as unknown;
  } catch (error) {
    // V8's message quotes a piece of the text: it is shown display-safe and short.
    return { ok: false, problem: `not valid JSON (${displaySafe((error as Error).message, 160)})`, cause: error };
  }
  if (structure.keyProblems.length > 0) return { ok: false, problem: joinProblems(structure.keyProblems) };
  return { ok: true, value };
}
