import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { StalledRequests } from './connection-faults';

/** Just enough of a ServerResponse: 'close' events and destroy(). */
const fakeResponse = () => Object.assign(new EventEmitter(), { destroy: jest.fn() });

describe('StalledRequests', () => {
  afterEach(() => jest.useRealTimers());

  it('destroys the socket after ms', () => {
    jest.useFakeTimers();
    const stalls = new StalledRequests();
    const res = fakeResponse();
    stalls.hold(res as unknown as ServerResponse, 500);
    expect(stalls.size).toBe(1);
    jest.advanceTimersByTime(499);
    expect(res.destroy).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(res.destroy).toHaveBeenCalledTimes(1);
    expect(stalls.size).toBe(0);
  });

  it('forgets a request whose client went away, and clears everything on close', () => {
    const stalls = new StalledRequests();
    const gone = fakeResponse();
    const held = fakeResponse();
    stalls.hold(gone as unknown as ServerResponse, 60_000);
    stalls.hold(held as unknown as ServerResponse, 60_000);
    gone.emit('close');
    expect(stalls.size).toBe(1);
    stalls.clear();
    expect(stalls.size).toBe(0);
    expect(held.destroy).not.toHaveBeenCalled();
  });
});
