/**
 * "Did you mean" for a mistyped name (a CLI option, a CDK context key): one rule for every
 * place that suggests, so they agree on what counts as close.
 */

/** Case-insensitive edit distance (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      row[j] = Math.min(above + 1, row[j - 1] + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length];
}

/**
 * The known name closest to `name`, or undefined when none is close enough to be a typo
 * (at most 2 edits, or a third of the name's length for long names). Ties go to the
 * earlier name in `known`.
 */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  let best: { known: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (best === undefined || distance < best.distance) best = { known: candidate, distance };
  }
  return best !== undefined && best.distance <= Math.max(2, Math.floor(name.length / 3)) ? best.known : undefined;
}
