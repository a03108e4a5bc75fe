/**
 * Opaque, tamper-evident NextToken values. Real AWS tokens are opaque and are rejected
 * when garbled or replayed against another request; signing them with a per-emulator
 * secret reproduces both, so a client that builds, edits or mixes up tokens fails here
 * as it would against AWS.
 */
import { createHmac, randomBytes } from 'node:crypto';

/** Where the next page starts. */
export interface PagePosition {
  /** Index of the first item of the next page. */
  readonly offset: number;
  /** An injected empty page was already served at this offset (so it is served once). */
  readonly emptyServed: boolean;
}

interface TokenPayload {
  /** Scope: operation plus the request parameters the token is only valid for. */
  readonly s: string;
  readonly o: number;
  readonly e: 0 | 1;
}

/** Encodes and checks page tokens for one emulator instance. */
export class PageTokenCodec {
  private readonly secret: Buffer;

  /** @param secret HMAC key; random by default, so tokens never outlive the emulator. */
  constructor(secret: Buffer = randomBytes(32)) {
    this.secret = secret;
  }

  /** A token valid only for requests with the same `scope`. */
  encode(scope: string, position: PagePosition): string {
    const payload: TokenPayload = { s: scope, o: position.offset, e: position.emptyServed ? 1 : 0 };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  /** The position in `token`, or `null` if it is garbled, forged or from another scope. */
  decode(scope: string, token: string): PagePosition | null {
    const dot = token.indexOf('.');
    if (dot <= 0) return null;
    const body = token.slice(0, dot);
    if (token.slice(dot + 1) !== this.sign(body)) return null;
    let payload: TokenPayload;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenPayload;
    } catch {
      return null;
    }
    if (payload.s !== scope || !Number.isInteger(payload.o) || payload.o < 0) return null;
    return { offset: payload.o, emptyServed: payload.e === 1 };
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url').slice(0, 22);
  }
}
