import type { z } from 'zod';

/*
 * Shared plumbing of the baseline and exclusions parsers: JSON parsing and turning
 * zod issues into messages that point at the exact spot in the document.
 */

/**
 * Renders a zod path as a JSON-ish accessor: `targets["ou-ab12-cd34ef56"]`, `exclusions[2].expires`.
 * Segments naming a document field use dot notation; any other key (a target id in a
 * map) is quoted in brackets so it reads unambiguously, whatever it looks like.
 */
export function formatPath(path: readonly PropertyKey[], fields: ReadonlySet<string>): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && fields.has(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out === '' ? '(document)' : out;
}

/** One line per issue, `path: problem`, joined with `; `. */
export function describeIssues(error: z.ZodError, fields: ReadonlySet<string>): string {
  return error.issues.map((issue) => `${formatPath(issue.path, fields)}: ${issue.message}`).join('; ');
}

/** Parses JSON text, tolerating a leading byte-order mark; returns the failure instead of throwing. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: Error } {
  try {
    return { ok: true, value: JSON.parse(text.replace(/^\uFEFF/, '')) as unknown };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
  }
}
