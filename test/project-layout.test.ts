import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

/** The README's layout block. */
function layoutBlock(): string {
  const readme = readFileSync(join(ROOT, 'docs', 'development.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Project layout'));
  return section.slice(section.indexOf('```') + 3, section.indexOf('```', section.indexOf('```') + 3));
}

describe('the documented project layout (docs/development.md)', () => {
  it('names every folder and top-level module of lambdas/audit, and nothing that is not there', () => {
    const block = layoutBlock();
    const dir = join(ROOT, 'lambdas/audit');
    const entries = readdirSync(dir).map((name) => (statSync(join(dir, name)).isDirectory() ? `${name}/` : name));
    for (const entry of entries) expect([entry, block.includes(entry)]).toEqual([entry, true]);
    // The names each `  name  description` line of the lambdas/audit block starts with.
    const lines = block.slice(block.indexOf('lambdas/audit/'), block.indexOf('\ntest/')).split('\n').slice(1);
    const named = lines
      .filter((line) => /^ {2}\S/.test(line))
      .flatMap(
        (line) =>
          line
            .trim()
            .split(/\s{2,}/)[0]
            ?.split(' ') ?? [],
      );
    expect(named.filter((name) => !entries.includes(name))).toEqual([]);
  });
});

describe('the import-cycle gate', () => {
  it('fails on a cycle made only of type imports', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cycle-'));
    try {
      writeFileSync(join(dir, 'a.ts'), "import type { B } from './b';\nexport interface A { b?: B }\n");
      writeFileSync(join(dir, 'b.ts'), "import type { A } from './a';\nexport interface B { a?: A }\n");
      const run = spawnSync(join(ROOT, 'node_modules/.bin/depcruise'), ['--config', '.dependency-cruiser.cjs', dir], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      expect(run.status).not.toBe(0);
      expect(run.stdout).toMatch(/error no-circular/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
