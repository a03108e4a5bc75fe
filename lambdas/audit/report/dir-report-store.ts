/** {@link ReportStore} in a local directory: same key layout as S3, for the CLI and tests. */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { MAX_STORED_OBJECT_BYTES, ObjectTooLargeError } from './bounded-read';
import { ReportStoreError, type GetOptions, type ReportStore } from './report-store';

/**
 * Stores each key as a file below `root` (directories created as needed). Writes go to
 * a temporary file that is renamed into place, so a reader never sees half an object.
 * Content type and encoding are not kept.
 */
export class DirReportStore implements ReportStore {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The file of a key; rejects keys that would leave the root. */
  private pathOf(key: string): string {
    const segments = key.split('/');
    if (key === '' || isAbsolute(key) || segments.some((s) => s === '' || s === '.' || s === '..')) {
      throw new ReportStoreError(`Invalid object key ${JSON.stringify(key)}`, key);
    }
    const path = join(this.root, ...segments);
    if (!path.startsWith(this.root + sep)) throw new ReportStoreError(`Invalid object key ${JSON.stringify(key)}`, key);
    return path;
  }

  /** Content type and encoding are not kept, so they are not taken either (callers pass them through `ReportStore`). */
  async put(key: string, body: Buffer): Promise<void> {
    const path = this.pathOf(key);
    const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(temp, body);
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw new ReportStoreError(`Cannot write ${path}: ${(error as Error).message}`, key, { cause: error });
    }
  }

  /** Checks the file size before reading it, so an oversized file is refused without loading it. */
  async get(key: string, options: GetOptions = {}): Promise<Buffer | null> {
    const maxBytes = options.maxBytes ?? MAX_STORED_OBJECT_BYTES;
    const path = this.pathOf(key);
    try {
      const file = await open(path, 'r');
      try {
        const { size } = await file.stat();
        if (size > maxBytes) throw new ObjectTooLargeError(path, maxBytes);
        return await file.readFile();
      } finally {
        await file.close();
      }
    } catch (error) {
      if (error instanceof ObjectTooLargeError) throw error;
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new ReportStoreError(`Cannot read ${path}: ${(error as Error).message}`, key, { cause: error });
    }
  }

  describe(): string {
    return this.root;
  }
}
