import { PageTokenCodec } from './page-token';
import { servePage, type PagingContext } from './paging';

class BadToken extends Error {}

const context = (emptyPageFraction: number, codec = new PageTokenCodec()): PagingContext & { empties: number } => {
  const ctx = {
    codec,
    seed: 1,
    emptyPageFraction,
    invalidToken: () => new BadToken(),
    empties: 0,
    onEmptyPage: () => {
      ctx.empties++;
    },
  };
  return ctx;
};

/** Follows NextToken to the end, like an SDK paginator. */
function collect(
  items: readonly number[],
  scope: string,
  maxResults: number,
  ctx: PagingContext,
): { all: number[]; pages: number } {
  const all: number[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = servePage(items, { scope, maxResults, nextToken }, ctx);
    all.push(...page.items);
    nextToken = page.nextToken;
    pages++;
  } while (nextToken !== undefined && pages < 10_000);
  return { all, pages };
}

const items = Array.from({ length: 53 }, (_, i) => i);

describe('servePage', () => {
  it('pages through everything exactly once', () => {
    const { all, pages } = collect(items, 's', 10, context(0));
    expect(all).toEqual(items);
    expect(pages).toBe(6);
  });

  it('still returns everything exactly once with empty pages injected', () => {
    const ctx = context(0.5);
    const { all, pages } = collect(items, 's', 5, ctx);
    expect(all).toEqual(items);
    expect(ctx.empties).toBeGreaterThan(0);
    expect(pages).toBe(11 + ctx.empties);
  });

  it('serves an empty list without a token', () => {
    expect(servePage([], { scope: 's', maxResults: 5, nextToken: undefined }, context(1))).toEqual({ items: [] });
  });

  it('rejects garbled, forged and cross-scope tokens', () => {
    const codec = new PageTokenCodec();
    const ctx = context(0, codec);
    const token = servePage(items, { scope: 'a', maxResults: 5, nextToken: undefined }, ctx).nextToken!;
    expect(() => servePage(items, { scope: 'b', maxResults: 5, nextToken: token }, ctx)).toThrow(BadToken);
    expect(() => servePage(items, { scope: 'a', maxResults: 5, nextToken: 'garbage' }, ctx)).toThrow(BadToken);
    expect(() => servePage(items, { scope: 'a', maxResults: 5, nextToken: `${token}x` }, ctx)).toThrow(BadToken);
    const other = context(0, new PageTokenCodec());
    expect(() => servePage(items, { scope: 'a', maxResults: 5, nextToken: token }, other)).toThrow(BadToken);
    expect(servePage(items, { scope: 'a', maxResults: 5, nextToken: token }, ctx).items).toEqual([5, 6, 7, 8, 9]);
  });

  it('alwaysNextToken: a token on every non-empty page, then one empty last page', () => {
    const ctx = { ...context(0), alwaysNextToken: true };
    const pages: { size: number; token: boolean }[] = [];
    let nextToken: string | undefined;
    do {
      const page = servePage(items, { scope: 's', maxResults: 10, nextToken }, ctx);
      pages.push({ size: page.items.length, token: page.nextToken !== undefined });
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    expect(pages).toEqual([10, 10, 10, 10, 10, 3, 0].map((size, i) => ({ size, token: i < 6 })));
    expect(servePage([], { scope: 's', maxResults: 5, nextToken: undefined }, ctx)).toEqual({ items: [] });
  });
});
