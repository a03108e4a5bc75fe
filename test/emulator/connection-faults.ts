/**
 * Connection-level faults: cutting a request's socket without an answer, at once or after
 * a stall. The client sees what a load balancer reset or a dead peer looks like:
 * ECONNRESET ("socket hang up"), or its own request timeout if that is shorter.
 */
import type { ServerResponse } from 'node:http';

/** Destroys the request's socket without writing a response. */
export function dropConnection(res: ServerResponse): void {
  res.destroy();
}

/**
 * Requests held without an answer. Timers are unref'd and cleared when the client goes
 * away or the emulator closes, so a stall never keeps the process or `close()` waiting.
 */
export class StalledRequests {
  private readonly timers = new Set<NodeJS.Timeout>();

  /** Leaves `res` unanswered for `ms` real milliseconds, then destroys its socket. */
  hold(res: ServerResponse, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      res.destroy();
    }, ms);
    timer.unref();
    this.timers.add(timer);
    // The client timed out and closed the socket (or close() dropped it): nothing left to cut.
    res.once('close', () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    });
  }

  /** Requests currently held. */
  get size(): number {
    return this.timers.size;
  }

  /** Cancels every pending timer; the sockets are dropped by the server's close. */
  clear(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
