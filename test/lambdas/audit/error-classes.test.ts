import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '../../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : [];
  });
}

describe('error classes', () => {
  it('are declared in an errors module alone, and invariants are never a plain Error', () => {
    const elsewhere: string[] = [];
    const plain: string[] = [];
    for (const file of [...sources(join(ROOT, 'lambdas')), ...sources(join(ROOT, 'infra'))]) {
      const text = readFileSync(file, 'utf8');
      const rel = relative(ROOT, file);
      if (!rel.endsWith('/errors.ts') && /\bclass \w+ extends \w*Error\b/.test(text)) elsewhere.push(rel);
      if (text.includes('throw new Error(')) plain.push(rel);
    }
    expect(elsewhere).toEqual([]);
    expect(plain).toEqual([]);
  });
});
