import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { findSpecialFile } from '../store/dir-report-store';
import { loadTuning, type AuditTuning } from '../config';
import { decodeDocument } from '../drift/document-bytes';
import { MAX_DOCUMENT_BYTES } from '../drift/json-document';
import { deriveRunId } from '../report/run-id';
import { displaySafe } from '../util/display-text';
import { type CliArgs } from './args';
import type { SourceDocument } from '../types/audit';
import { UsageError, DocumentError } from '../errors';
import { macKeyIdProblem } from '../input-validators';
import { blankToUndefined } from '../util/coerce';

/*
 * The checks of a CLI run that need the file system, the environment or the clock. They
 * all run before any client is built, so a bad option never costs an API call.
 */

/** Everything a run needs from outside, checked. */
export interface CheckedInputs {
  readonly tuning: AuditTuning;
  /** Absolute `--out-dir`, when given. */
  readonly outDir?: string;
  readonly baseline?: SourceDocument;
  readonly exclusions?: SourceDocument;
  /** `--mac-key-id`, else MAC_KEY_ID; absent: nothing signed, history unverified. */
  readonly macKeyId?: string;
}

const errnoOf = (error: unknown) => (error as NodeJS.ErrnoException).code;

/** `--out-dir` may not exist yet (it is created), but must not be a file. */
async function checkOutDir(path: string): Promise<string> {
  const absolute = resolve(path);
  try {
    if (!(await stat(absolute)).isDirectory()) {
      throw new UsageError(`--out-dir ${displaySafe(path)}: not a directory`);
    }
    // Refused up front: found half-way, a FIFO would stop the run with half a report written.
    const special = await findSpecialFile(absolute);
    if (special !== null) {
      throw new UsageError(
        `--out-dir ${displaySafe(path)}: ${displaySafe(special.path, 300)} is ${special.what}; a report folder holds only directories and regular files`,
      );
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (errnoOf(error) !== 'ENOENT') {
      throw new UsageError(`--out-dir ${displaySafe(path)}: ${displaySafe((error as Error).message)}`, {
        cause: error,
      });
    }
  }
  return absolute;
}

/**
 * Reads a document named on the command line: a regular file (not a FIFO or a device
 * that never ends) of at most {@link MAX_DOCUMENT_BYTES}, decoded as strict UTF-8.
 */
async function readDocument(path: string | undefined, flag: string, label: string) {
  if (path === undefined) return undefined;
  const name = displaySafe(path);
  let handle;
  try {
    handle = await open(resolve(path), constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = errnoOf(error);
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? 'unreadable');
    throw new UsageError(`${flag} ${name}: ${why}`, { cause: error });
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new UsageError(`${flag} ${name}: not a regular file`);
    if (info.size > MAX_DOCUMENT_BYTES) {
      throw new DocumentError(label, path, `too large: ${info.size} bytes, at most ${MAX_DOCUMENT_BYTES} accepted`);
    }
    return decodeDocument(await handle.readFile(), path, label);
  } finally {
    await handle.close();
  }
}

/** The MAC key: the option, else MAC_KEY_ID (checked as the option is). */
function macKeyIdOf(args: CliArgs, env: NodeJS.ProcessEnv): string | undefined {
  if (args.macKeyId !== undefined) return args.macKeyId;
  const fromEnv = blankToUndefined(env.MAC_KEY_ID);
  if (typeof fromEnv !== 'string') return undefined;
  const problem = macKeyIdProblem(fromEnv);
  if (problem !== undefined) throw new UsageError(`MAC_KEY_ID: ${problem}, got "${displaySafe(fromEnv, 60)}"`);
  return fromEnv;
}

/**
 * Checks the environment's tuning, the MAC key, `--schedule-time` (with the Lambda's run-id rules),
 * `--out-dir` and the documents' files. Throws a BAD_INPUT error ({@link UsageError} or
 * {@link DocumentError}).
 */
export async function checkInputs(
  args: CliArgs,
  env: NodeJS.ProcessEnv,
  now: number,
  random: () => number,
): Promise<CheckedInputs> {
  let tuning: AuditTuning;
  try {
    tuning = loadTuning(env);
  } catch (error) {
    throw new UsageError(displaySafe((error as Error).message, 1000), { cause: error });
  }
  if (args.scheduleTime !== undefined) {
    try {
      deriveRunId({ scheduledTime: args.scheduleTime, rerun: args.rerun, now, random });
    } catch (error) {
      throw new UsageError(`--schedule-time: ${displaySafe((error as Error).message, 300)}`, { cause: error });
    }
  }
  const outDir = args.outDir === undefined ? undefined : await checkOutDir(args.outDir);
  const [baseline, exclusions] = await Promise.all([
    readDocument(args.baselineFile, '--baseline', 'baseline'),
    readDocument(args.exclusionsFile, '--exclusions', 'exclusions'),
  ]);
  return { tuning, outDir, baseline, exclusions, macKeyId: macKeyIdOf(args, env) };
}
