/**
 * Serves one page of a list operation: MaxResults bounds, opaque NextToken, and the
 * injected empty pages both services' clients must tolerate.
 */
import type { PageTokenCodec } from './page-token';
import { hashFraction, type Seed } from './seeded-random';

/** What a list operation needs to page. */
export interface PageRequest {
  /** Operation and parameters the token is bound to. */
  readonly scope: string;
  readonly maxResults: number;
  readonly nextToken: string | undefined;
}

/** How the emulator pages. */
export interface PagingContext {
  readonly codec: PageTokenCodec;
  readonly seed: Seed;
  /** 0 disables empty pages. */
  readonly emptyPageFraction: number;
  /**
   * Every non-empty last page announces one more page, which is empty and ends the
   * listing (so every non-empty page carries a NextToken). Default `false`.
   */
  readonly alwaysNextToken?: boolean;
  /** Called when a token does not decode; must return the service's error to throw. */
  readonly invalidToken: () => Error;
  /** Called once per injected empty page. */
  readonly onEmptyPage: () => void;
}

/** One page: the items and, unless this was the last page, a token for the next one. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextToken?: string;
}

/** Slices `items` for the request. Throws `ctx.invalidToken()` for a bad token. */
export function servePage<T>(items: readonly T[], request: PageRequest, ctx: PagingContext): Page<T> {
  let offset = 0;
  let emptyServed = false;
  if (request.nextToken !== undefined) {
    const position = ctx.codec.decode(request.scope, request.nextToken);
    if (!position || position.offset > items.length) throw ctx.invalidToken();
    offset = position.offset;
    emptyServed = position.emptyServed;
  }

  // Empty page in the middle: same offset again, but flagged so it happens once per offset.
  if (
    !emptyServed &&
    offset < items.length &&
    hashFraction(String(ctx.seed), 'empty', request.scope, offset) < ctx.emptyPageFraction
  ) {
    ctx.onEmptyPage();
    return { items: [], nextToken: ctx.codec.encode(request.scope, { offset, emptyServed: true }) };
  }
  if (offset === items.length && offset > 0 && emptyServed === false && request.nextToken !== undefined) {
    // This is the trailing empty page announced by the previous response.
    ctx.onEmptyPage();
    return { items: [] };
  }

  const end = Math.min(items.length, offset + request.maxResults);
  const page = items.slice(offset, end);
  if (end < items.length)
    return { items: page, nextToken: ctx.codec.encode(request.scope, { offset: end, emptyServed: false }) };
  // Last page: sometimes (or always) announce one more, empty page, as AWS occasionally does.
  if (
    end > 0 &&
    (ctx.alwaysNextToken === true || hashFraction(String(ctx.seed), 'trailing', request.scope) < ctx.emptyPageFraction)
  ) {
    return { items: page, nextToken: ctx.codec.encode(request.scope, { offset: end, emptyServed: false }) };
  }
  return { items: page };
}
