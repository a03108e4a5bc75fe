import { lstat, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirReportStore } from '../../../../lambdas/audit/store/dir-report-store';
import { type ReportStore } from '../../../../lambdas/audit/store/report-store';
import { ReportStoreError } from '../../../../lambdas/audit/errors';

describe('DirReportStore', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'dir-report-store-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('creates directories, writes atomically and reads back', async () => {
    const store: ReportStore = new DirReportStore(root);
    await store.put('a/b/dt=2026-11-26/x.json', Buffer.from('one'), 'application/json');
    await store.put('a/b/dt=2026-11-26/x.json', Buffer.from('two'), 'application/json');
    expect((await store.get('a/b/dt=2026-11-26/x.json'))?.toString()).toBe('two');
    expect(await readdir(join(root, 'a/b/dt=2026-11-26'))).toEqual(['x.json']); // no temp files left
    expect(store.describe()).toBe(root);
  });

  it('returns null for a missing object', async () => {
    expect(await new DirReportStore(root).get('latest/run.json')).toBeNull();
  });

  it('rejects keys that would leave the root', async () => {
    const store: ReportStore = new DirReportStore(root);
    for (const key of ['../x', '/etc/passwd', 'a//b', 'a/./b', '']) {
      await expect(store.put(key, Buffer.from('x'), 'text/plain')).rejects.toThrow(ReportStoreError);
    }
    await expect(store.get('a/../../x')).rejects.toThrow(/Invalid object key/);
  });

  it('wraps file system errors with the key and cause, leaving no temp file', async () => {
    await writeFile(join(root, 'blocker'), 'a file where a directory should be');
    const store: ReportStore = new DirReportStore(root);
    const error = await store.put('blocker/x.json', Buffer.from('x'), 'application/json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReportStoreError);
    expect((error as ReportStoreError).key).toBe('blocker/x.json');
    expect((error as ReportStoreError).cause).toBeDefined();
    expect(await readdir(root)).toEqual(['blocker']);
  });

  it('wraps read errors other than a missing file', async () => {
    const store: ReportStore = new DirReportStore(root);
    await store.put('d/x.json', Buffer.from('x'), 'application/json');
    await expect(store.get('d')).rejects.toThrow(ReportStoreError); // a directory, not a file
  });
});

describe('DirReportStore and symbolic links', () => {
  let root: string;
  let outside: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'dir-report-store-'));
    outside = await mkdtemp(join(tmpdir(), 'dir-report-outside-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('refuses to write or read through a directory link pointing out of the root', async () => {
    await symlink(outside, join(root, 'latest'));
    const store: ReportStore = new DirReportStore(root);
    await expect(store.put('latest/run.json', Buffer.from('x'), 'application/json')).rejects.toThrow(
      /Refusing to follow the symbolic link/,
    );
    await writeFile(join(outside, 'run.json'), 'secret');
    await expect(store.get('latest/run.json')).rejects.toThrow(ReportStoreError);
    expect(await readdir(outside)).toEqual(['run.json']);
  });

  it('replaces a file link instead of writing through it, and does not read through one', async () => {
    const target = join(outside, 'victim.txt');
    await writeFile(target, 'untouched');
    await symlink(target, join(root, 'run.json'));
    const store: ReportStore = new DirReportStore(root);
    await expect(store.get('run.json')).rejects.toThrow(ReportStoreError);
    await store.put('run.json', Buffer.from('report'), 'application/json');
    expect(await readFile(target, 'utf8')).toBe('untouched');
    expect((await lstat(join(root, 'run.json'))).isSymbolicLink()).toBe(false);
  });
});
