/**
 * The Lambda bundle's size and the handler's module-load time in a cold process.
 *
 * Builds lambdas/audit/handler.ts with the esbuild in node_modules and the options CDK
 * derives from AUDIT_BUNDLING (the same flags NodejsFunction passes: --bundle
 * --platform=node --target --format --minify --sourcemap --sources-content=false, no
 * externals) into a temporary directory. Load time: `require` of the bundle, timed inside
 * a fresh `node` process, median of several processes; with --enable-source-maps, as the
 * function's NODE_OPTIONS set it, and without for comparison.
 */
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { AUDIT_HANDLER_ENTRY } from '../../infra/constructs/audit-function';
import { AUDIT_BUNDLING } from '../../infra/constructs/audit-lambda-parts';
import { BENCH_TARGETS } from './scenarios';

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Output bytes per npm package (or `(project)`), largest first: where the size comes from. */
function largestPackages(metafile: Metafile, top = 6): Record<string, number> {
  // One JavaScript output (the other is its source map); keys are relative to the cwd.
  const output = Object.entries(metafile.outputs).find(([path]) => path.endsWith('.js'))?.[1];
  const bytes = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const name = match?.[1] ?? '(project)';
    bytes.set(name, (bytes.get(name) ?? 0) + bytesInOutput);
  }
  return Object.fromEntries([...bytes].sort((a, b) => b[1] - a[1]).slice(0, top));
}

async function bundle(outfile: string, target: string): Promise<Metafile> {
  const result = await build({
    entryPoints: [AUDIT_HANDLER_ENTRY],
    outfile,
    bundle: true,
    platform: 'node',
    target,
    format: AUDIT_BUNDLING.format === OutputFormat.ESM ? 'esm' : 'cjs',
    minify: AUDIT_BUNDLING.minify ?? false,
    sourcemap: AUDIT_BUNDLING.sourceMap ?? false,
    sourcesContent: AUDIT_BUNDLING.sourcesContent ?? true,
    external: [...(AUDIT_BUNDLING.externalModules ?? ['@aws-sdk/*'])],
    ...(AUDIT_BUNDLING.mainFields ? { mainFields: AUDIT_BUNDLING.mainFields } : {}),
    logLevel: 'error',
    metafile: true,
  });
  return result.metafile;
}

/** Milliseconds `require(file)` takes in a fresh node process. */
function loadOnce(file: string, nodeOptions: readonly string[]): number {
  const script = `const t=performance.now();require(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t))`;
  const out = spawnSync(process.execPath, [...nodeOptions, '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
  if (out.status !== 0) throw new Error(`loading the bundle failed: ${out.stderr}`);
  return Number(out.stdout);
}

/** Builds the bundle and measures it; returns the `bundle` JSON line. */
export async function measureBundle(coldProcesses = 5): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'audit-bundle-'));
  try {
    const lambdaTarget = AUDIT_BUNDLING.target ?? 'node20';
    const outfile = join(dir, 'lambda', 'index.js');
    const metafile = await bundle(outfile, lambdaTarget);
    const bytes = (await stat(outfile)).size;
    const mapBytes = await stat(`${outfile}.map`).then(
      (s) => s.size,
      () => 0,
    );

    // The Lambda runs a newer Node.js than this machine may have; if the bundle for its
    // target does not load here, time a copy built for the local version instead.
    let loadFile = outfile;
    let loadTarget = lambdaTarget;
    try {
      loadOnce(outfile, []);
    } catch {
      loadTarget = `node${process.versions.node.split('.')[0]}`;
      loadFile = join(dir, 'local', 'index.js');
      await bundle(loadFile, loadTarget);
    }
    loadOnce(loadFile, []); // warm the file cache, as a deployed function's is
    // Interleaved, so a drift in machine load affects both alike.
    const withMaps: number[] = [];
    const withoutMaps: number[] = [];
    for (let i = 0; i < coldProcesses; i += 1) {
      withMaps.push(loadOnce(loadFile, ['--enable-source-maps']));
      withoutMaps.push(loadOnce(loadFile, []));
    }
    const round1 = (v: number): number => Math.round(v * 10) / 10;
    const moduleLoadMs = round1(median(withMaps));
    return {
      scenario: 'bundle',
      bundle_bytes: bytes,
      bundle_mib: Math.round((bytes / 1024 / 1024) * 1000) / 1000,
      bundle_mb_decimal: Math.round(bytes / 1000) / 1000,
      largest_packages_bytes: largestPackages(metafile),
      source_map_bytes: mapBytes,
      esbuild_target: lambdaTarget,
      load_test_target: loadTarget,
      module_load_ms: moduleLoadMs,
      module_load_ms_samples: withMaps.map(round1),
      module_load_ms_without_source_maps: round1(median(withoutMaps)),
      cold_processes: coldProcesses,
      node: process.version,
      targets_met: {
        // "1.5 MB" read as MiB (as RSS is printed); the decimal reading is stricter.
        bundle_le_1_5_mib: bytes <= BENCH_TARGETS.maxBundleBytes,
        bundle_le_1_5_mb_decimal: bytes <= 1_500_000,
        module_load_le_300_ms: moduleLoadMs <= BENCH_TARGETS.maxModuleLoadMs,
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
