/**
 * The duplicate-key check depends on jsonc-parser, whose CommonJS build is a UMD wrapper
 * that esbuild cannot follow (its inner requires would be missing in the Lambda bundle).
 * Bundled the way the function is (AUDIT_BUNDLING: ES module build first), the parser
 * must still load and reject a duplicate key.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { AUDIT_BUNDLING } from '../../../../infra/constructs/audit-lambda-parts';

describe('parseBaseline in the Lambda bundle', () => {
  it('loads jsonc-parser and rejects a duplicate key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'baseline-bundle-'));
    try {
      const entry = join(dir, 'entry.ts');
      const baselineModule = resolve(__dirname, '../../../../lambdas/audit/drift/baseline');
      await writeFile(
        entry,
        `import { parseBaseline } from ${JSON.stringify(baselineModule)};
try { parseBaseline('{"version":1,"targets":{"r-ab12":"SELF_MANAGED","r-ab12":"SELF_MANAGED"}}', 'doc'); }
catch (e) { process.stdout.write((e as Error).message); }`,
      );
      const outfile = join(dir, 'bundle.js');
      await build({
        entryPoints: [entry],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: AUDIT_BUNDLING.target,
        mainFields: AUDIT_BUNDLING.mainFields,
        logLevel: 'silent',
      });
      const run = spawnSync(process.execPath, [outfile], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.stdout).toBe('Invalid baseline doc: targets: duplicate key "r-ab12" (lines 1 and 1); keep one');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
