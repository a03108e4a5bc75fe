/**
 * Which Organizations and Security Hub operations a Lambda's code can call: every
 * `XCommand` / `paginateX` imported from those SDK clients in the modules its entry point
 * reaches through relative imports (what the bundle holds), so each function's grants can
 * be compared with exactly its own calls.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const SERVICES: Readonly<Record<string, string>> = {
  '@aws-sdk/client-organizations': 'organizations',
  '@aws-sdk/client-securityhub': 'securityhub',
};

/** Source files reachable from `entry` through relative imports (type-only ones included: harmless here). */
function reachableSources(entry: string): string[] {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = fs.readFileSync(file, 'utf8');
    for (const match of source.matchAll(/from\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = path.resolve(path.dirname(file), match[1]);
      const candidate = [`${target}.ts`, path.join(target, 'index.ts')].find((f) => fs.existsSync(f));
      if (candidate) queue.push(candidate);
    }
  }
  return [...seen];
}

/** `service:Operation` for every operation the code reachable from `entry` imports a command or paginator for. */
export function sdkOperationsReachable(entry: string): string[] {
  const operations = new Set<string>();
  for (const file of reachableSources(entry)) {
    const source = fs.readFileSync(file, 'utf8');
    for (const match of source.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'(@aws-sdk\/client-[a-z]+)'/g)) {
      const service = SERVICES[match[2]];
      if (!service) continue;
      for (const name of match[1].split(',').map((n) => n.trim().replace(/^type\s+/, ''))) {
        const operation = /^paginate([A-Z]\w+)$/.exec(name)?.[1] ?? /^([A-Z]\w+)Command$/.exec(name)?.[1];
        if (operation) operations.add(`${service}:${operation}`);
      }
    }
  }
  return [...operations].sort();
}
