/** {@link ReportStore} in a local directory: same key layout as S3, for the CLI and tests. */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, rename, rm } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { MAX_STORED_OBJECT_BYTES } from './bounded-read';
import { type GetOptions, type ReportStore } from './report-store';
import { ReportStoreError, ObjectTooLargeError } from '../errors';

/**
 * Stores each key as a file below `root` (directories created as needed). Writes go to
 * a temporary file that is renamed into place, so a reader never sees half an object.
 * Content type and encoding are not kept.
 *
 * Nothing below the root is followed if it is a symbolic link: every directory on a key's
 * path is checked with lstat (and created one level at a time), files are opened with
 * O_NOFOLLOW, and temporary files with O_EXCL, so a link planted in the report folder
 * cannot send a write or a read outside it. (A link swapped in between the check and the
 * use by someone who can write the folder is not defended against.)
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

  /**
   * Walks the directories of `key` from the root down, refusing any that is a symbolic link. With `create`, missing ones are made; without, returns false
   * at the first missing one.
   */
  private async checkDirectories(key: string, create: boolean): Promise<boolean> {
    if (create) await mkdir(this.root, { recursive: true });
    let dir = this.root;
    for (const segment of key.split('/').slice(0, -1)) {
      dir = join(dir, segment);
      let info = await lstat(dir).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return null;
        throw error;
      });
      if (info === null) {
        if (!create) return false;
        await mkdir(dir).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'EEXIST') throw error;
        });
        info = await lstat(dir);
      }
      // Anything else that is not a directory fails at open with ENOTDIR.
      if (info.isSymbolicLink()) {
        throw new ReportStoreError(`Refusing to follow the symbolic link ${dir} out of ${this.root}`, key);
      }
    }
    return true;
  }

  /** Content type and encoding (the interface's third and fourth arguments) are not kept in a directory. */
  async put(key: string, body: Buffer): Promise<void> {
    const path = this.pathOf(key);
    const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await this.checkDirectories(key, true);
      const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
      const handle = await open(temp, flags, 0o644);
      try {
        await handle.writeFile(body);
      } finally {
        await handle.close();
      }
      // rename replaces a link at `path` itself, never the file it points to.
      await rename(temp, path);
    } catch (error) {
      if (error instanceof ReportStoreError) throw error;
      await rm(temp, { force: true }).catch(() => undefined);
      throw new ReportStoreError(`Cannot write ${path}: ${(error as Error).message}`, key, { cause: error });
    }
  }

  /** Checks the file size before reading it, so an oversized file is refused without loading it. */
  async get(key: string, options: GetOptions = {}): Promise<Buffer | null> {
    const maxBytes = options.maxBytes ?? MAX_STORED_OBJECT_BYTES;
    const path = this.pathOf(key);
    try {
      if (!(await this.checkDirectories(key, false))) return null;
      const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        const { size } = await handle.stat();
        if (size > maxBytes) throw new ObjectTooLargeError(path, maxBytes);
        return await handle.readFile();
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (error instanceof ReportStoreError || error instanceof ObjectTooLargeError) throw error;
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new ReportStoreError(`Cannot read ${path}: ${(error as Error).message}`, key, { cause: error });
    }
  }

  describe(): string {
    return this.root;
  }
}
