/** {@link ReportStore} in a local directory: same key layout as S3, for the CLI and tests. */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { ReportStoreError, type ReportStore } from './report-store';

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

  async put(key: string, body: Buffer, _contentType: string, _contentEncoding?: string): Promise<void> {
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

  async get(key: string): Promise<Buffer | null> {
    const path = this.pathOf(key);
    try {
      return await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new ReportStoreError(`Cannot read ${path}: ${(error as Error).message}`, key, { cause: error });
    }
  }

  describe(): string {
    return this.root;
  }
}
