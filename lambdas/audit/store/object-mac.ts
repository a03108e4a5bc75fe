/**
 * Authentication of the objects the audit reads back as state (run summaries, the
 * `latest/` pointer, checkpoint manifests). A SHA-256 the writer can recompute proves
 * nothing, so each such object carries a MAC made with a key only the audit can use. The
 * MAC covers the content and its context (kind, object key, run id, execution): a signed
 * object cannot be replayed as another kind, under another key, run or execution.
 */
import { createHash } from 'node:crypto';

/** What an authenticated object is. */
export type MacKind =
  | 'run-summary'
  | 'latest-run'
  | 'checkpoint-manifest'
  /** A re-check's summary (`recheck/runs/…`). */
  | 'recheck-record'
  /** What the re-checks since the last full run established (`recheck/state.json`). */
  | 'recheck-state';

/** The context a MAC is bound to, besides the content. */
export interface MacContext {
  readonly kind: MacKind;
  /** The object's key, prefix included. */
  readonly key: string;
  readonly runId: string;
  /** State machine execution that wrote it; `null` for objects not bound to one (run summaries). */
  readonly execution: string | null;
}

/** A MAC as stored: base64 of the 32 bytes of an HMAC-SHA-256. */
export const MAC_PATTERN = /^[A-Za-z0-9+/]{43}=$/;

/** The outcome of checking a MAC. */
export type MacVerdict = { readonly valid: true } | { readonly valid: false; readonly reason: string };

/** Makes and checks MACs; the audit is given one (KMS in production, a local HMAC in unit tests). */
export interface ObjectMac {
  /** Which key signs, for messages; `null` when nothing is signed (no key given). */
  readonly keyId: string | null;
  /**
   * The MAC of `content` in `context`, or `null` when there is no key.
   * @throws MacServiceError when the key service fails (never a silent downgrade to unsigned).
   */
  sign(context: MacContext, content: Buffer): Promise<string | null>;
  /**
   * Whether `mac` is the MAC of `content` in `context`.
   * @throws MacServiceError when the key service fails (a verdict needs an answer).
   */
  verify(context: MacContext, content: Buffer, mac: string | null): Promise<MacVerdict>;
}

/**
 * The message a MAC is computed over: the context, then the content's SHA-256 (KMS takes
 * at most 4,096 bytes; a summary can be larger). Lines cannot be forged across fields:
 * keys, run ids and execution ARNs hold no newline, and the hash is fixed-width.
 */
export function macMessage(context: MacContext, content: Buffer): Buffer {
  const field = (value: string) => JSON.stringify(value);
  return Buffer.from(
    [
      'securityhub-config-audit object MAC v1',
      `kind ${field(context.kind)}`,
      `key ${field(context.key)}`,
      `run ${field(context.runId)}`,
      `execution ${context.execution === null ? 'none' : field(context.execution)}`,
      `sha256 ${createHash('sha256').update(content).digest('hex')}`,
    ].join('\n'),
    'utf8',
  );
}

/**
 * No key: nothing is signed, and nothing read back is authenticated (the CLI without
 * `--mac-key-id`). History read this way is never trusted.
 */
export const UNSIGNED: ObjectMac = {
  keyId: null,
  sign: () => Promise.resolve(null),
  verify: () =>
    Promise.resolve({ valid: false, reason: 'no MAC key is configured, so the object cannot be authenticated' }),
};
