import { TEST_MAC } from '../../../support/local-mac';
/**
 * The directory store never opens anything that blocks: a real FIFO (or a socket) where a
 * report file, a folder of the layout or `latest/run.json` should be is refused at once with
 * a clear BAD_INPUT error, and never replaced or read.
 */
import { execFileSync } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorKindOf, NotRegularFileError } from '../../../../lambdas/audit/errors';
import { readPreviousRun } from '../../../../lambdas/audit/history/read-previous';
import { DirReportStore, findSpecialFile } from '../../../../lambdas/audit/store/dir-report-store';

let root: string;
let server: Server | undefined;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'audit-special-'));
});

afterEach(async () => {
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  server = undefined;
  await rm(root, { recursive: true, force: true });
});

/** A real FIFO at `key` below the root; opening it for reading without O_NONBLOCK would wait for a writer forever. */
async function fifoAt(key: string): Promise<string> {
  const path = join(root, ...key.split('/'));
  await mkdir(join(path, '..'), { recursive: true });
  execFileSync('mkfifo', [path]);
  return path;
}

/** `promise`, or a failure after `ms`: a hang fails the test instead of the whole run. */
function withinMs<T>(promise: Promise<T>, ms = 2000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('DirReportStore and special files', () => {
  it('refuses to read a FIFO where an object should be, at once, as BAD_INPUT', async () => {
    await fifoAt('latest/run.json');
    const error = await withinMs(new DirReportStore(root).get('latest/run.json').catch((e: unknown) => e));
    expect(error).toBeInstanceOf(NotRegularFileError);
    expect(errorKindOf(error)).toBe('BAD_INPUT');
    expect((error as Error).message).toMatch(/run\.json: it is a FIFO, not a regular file/);
  });

  it('refuses a socket where an object should be', async () => {
    const path = join(root, 'latest', 'run.json');
    await mkdir(join(root, 'latest'));
    server = createServer();
    await new Promise<void>((done) => server!.listen(path, done));
    await expect(withinMs(new DirReportStore(root).get('latest/run.json'))).rejects.toThrow(/it is a socket/);
  });

  it('refuses a FIFO where a folder of the layout should be', async () => {
    await fifoAt('latest');
    await expect(withinMs(new DirReportStore(root).get('latest/run.json'))).rejects.toThrow(
      /latest: it is a FIFO, not a directory/,
    );
  });

  it('refuses to write over a FIFO, leaving it and no temporary file behind', async () => {
    const path = await fifoAt('runs/dt=2026-11-26/20261126T020000Z.json');
    await expect(
      withinMs(new DirReportStore(root).put('runs/dt=2026-11-26/20261126T020000Z.json', Buffer.from('{}'))),
    ).rejects.toBeInstanceOf(NotRegularFileError);
    expect((await lstat(path)).isFIFO()).toBe(true);
    expect(await readdir(join(root, 'runs', 'dt=2026-11-26'))).toEqual(['20261126T020000Z.json']);
  });

  it('makes the run fail fast when latest/run.json is a FIFO, instead of hanging', async () => {
    await fifoAt('audit/latest/run.json');
    const read = readPreviousRun(new DirReportStore(root), 'audit/', '20261127T020000Z', Date.now(), TEST_MAC);
    await expect(withinMs(read)).rejects.toBeInstanceOf(NotRegularFileError);
  });

  it('finds a FIFO anywhere below a report folder, and nothing in a clean one', async () => {
    await mkdir(join(root, 'audit', 'html'), { recursive: true });
    expect(await findSpecialFile(root)).toBeNull();
    const path = await fifoAt('audit/html/dt=2026-11-26/20261126T020000Z.html');
    expect(await findSpecialFile(root)).toEqual({ path, what: 'a FIFO' });
  });
});
