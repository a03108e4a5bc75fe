/** {@link ReportStore} in a local directory: same key layout as S3, for the CLI and tests. */
import { randomBytes } from 'node:crypto';
import { constants, type Dirent, type Stats } from 'node:fs';
import { lstat, mkdir, open, opendir, rename, rm } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { MAX_STORED_OBJECT_BYTES } from './bounded-read';
import { type GetOptions, type ReportStore } from './report-store';
import { NotRegularFileError, ReportStoreError, ObjectTooLargeError } from '../errors';

/** What a non-regular file is, for a message: "a FIFO", "a socket", … */
function fileKind(
  info: Pick<Stats, 'isFIFO' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice' | 'isSymbolicLink' | 'isDirectory'>,
): string {
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSymbolicLink()) return 'a symbolic link';
  return info.isDirectory() ? 'a directory' : 'not a file';
}

/** lstat of `path`, or `null` when nothing is there. */
async function lstatOrNull(path: string): Promise<Stats | null> {
  return lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
}

/** True for a FIFO, socket or device: what opening or reading could block on. */
const isSpecial = (info: Pick<Dirent, 'isFIFO' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice'>): boolean =>
  info.isFIFO() || info.isSocket() || info.isCharacterDevice() || info.isBlockDevice();

/** Most entries {@link findSpecialFile} looks at: a report folder holds a handful per night. */
const MAX_SCANNED_ENTRIES = 1_000_000;

/**
 * The first FIFO, socket or device below `root` (symbolic links are not followed), or
 * `null`: lets the CLI refuse a report folder up front instead of failing half-way
 * through writing a report. Looks at most at {@link MAX_SCANNED_ENTRIES} entries.
 */
export async function findSpecialFile(root: string): Promise<{ path: string; what: string } | null> {
  const pending = [resolve(root)];
  let seen = 0;
  while (pending.length > 0 && seen < MAX_SCANNED_ENTRIES) {
    const dir = pending.pop()!;
    for await (const entry of await opendir(dir)) {
      seen += 1;
      const path = join(dir, entry.name);
      if (isSpecial(entry)) return { path, what: fileKind(entry) };
      if (entry.isDirectory()) pending.push(path);
    }
  }
  return null;
}

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
 *
 * Nothing is opened that could block: a FIFO, device or socket where an object should be
 * is refused ({@link NotRegularFileError}) after lstat, and reads open with O_NONBLOCK and
 * check the opened file again with fstat, so a FIFO swapped in meanwhile is refused too.
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
      if (info.isSymbolicLink()) {
        throw new ReportStoreError(`Refusing to follow the symbolic link ${dir} out of ${this.root}`, key);
      }
      // A plain file here fails at open with ENOTDIR; what could block is refused by name.
      if (isSpecial(info)) throw new NotRegularFileError(dir, fileKind(info), key, 'a directory');
    }
    return true;
  }

  /**
   * Refuses a FIFO, socket or device at `path`; false when nothing is there. (A link or a
   * directory fails at open, with O_NOFOLLOW and EISDIR, or is replaced by the rename.)
   */
  private async checkNotSpecial(path: string, key: string): Promise<boolean> {
    const info = await lstatOrNull(path);
    if (info !== null && isSpecial(info)) throw new NotRegularFileError(path, fileKind(info), key);
    return info !== null;
  }

  /**
   * Content type and encoding (the interface's third and fourth arguments) are not kept in a
   * directory. A FIFO, device or socket at the key's place is refused, not replaced: it says
   * the folder is not what the audit wrote.
   */
  async put(key: string, body: Buffer): Promise<void> {
    const path = this.pathOf(key);
    const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await this.checkDirectories(key, true);
      await this.checkNotSpecial(path, key);
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
      if (error instanceof ReportStoreError || error instanceof NotRegularFileError) throw error;
      await rm(temp, { force: true }).catch(() => undefined);
      throw new ReportStoreError(`Cannot write ${path}: ${(error as Error).message}`, key, { cause: error });
    }
  }

  /**
   * Checks the file's type and size before reading it: a FIFO, device or socket is refused
   * without being opened for a blocking read, an oversized file without being loaded.
   */
  async get(key: string, options: GetOptions = {}): Promise<Buffer | null> {
    const maxBytes = options.maxBytes ?? MAX_STORED_OBJECT_BYTES;
    const path = this.pathOf(key);
    try {
      if (!(await this.checkDirectories(key, false))) return null;
      if (!(await this.checkNotSpecial(path, key))) return null;
      // O_NONBLOCK: should a FIFO be swapped in after the lstat, open returns at once and fstat refuses it.
      const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      try {
        const info = await handle.stat();
        if (isSpecial(info)) throw new NotRegularFileError(path, fileKind(info), key);
        if (!info.isFile()) throw new ReportStoreError(`Cannot read ${path}: it is ${fileKind(info)}`, key);
        if (info.size > maxBytes) throw new ObjectTooLargeError(path, maxBytes);
        return await handle.readFile();
      } finally {
        await handle.close();
      }
    } catch (error) {
      const ours = error instanceof ReportStoreError || error instanceof NotRegularFileError;
      if (ours || error instanceof ObjectTooLargeError) throw error;
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new ReportStoreError(`Cannot read ${path}: ${(error as Error).message}`, key, { cause: error });
    }
  }

  describe(): string {
    return this.root;
  }
}
