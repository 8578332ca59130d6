import { BoundedSlots, SlotsExhaustedError } from './bounded-slots';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('BoundedSlots', () => {
  it('runs at most `running` jobs at once and starts waiting ones in arrival order', async () => {
    const slots = new BoundedSlots(2, 10);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    const jobs = gates.map((g, i) =>
      slots.run(async () => {
        started.push(i);
        await g.promise;
        return i;
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]);
    expect(slots.inUse).toBe(2);
    expect(slots.queued).toBe(2);
    gates[1].resolve();
    await jobs[1];
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    gates[0].resolve();
    gates[2].resolve();
    gates[3].resolve();
    await expect(Promise.all(jobs)).resolves.toEqual([0, 1, 2, 3]);
    expect(slots.inUse).toBe(0);
    expect(slots.queued).toBe(0);
  });

  it('refuses work at once when the waiting line is full', async () => {
    const slots = new BoundedSlots(1, 1);
    const gate = deferred();
    const first = slots.run(() => gate.promise);
    const second = slots.run(() => Promise.resolve('second'));
    await expect(slots.run(() => Promise.resolve('third'))).rejects.toBeInstanceOf(
      SlotsExhaustedError,
    );
    gate.resolve();
    await first;
    await expect(second).resolves.toBe('second');
    // Capacity is back once the line drains.
    await expect(slots.run(() => Promise.resolve('fourth'))).resolves.toBe('fourth');
  });

  it('frees the slot when the work throws', async () => {
    const slots = new BoundedSlots(1, 0);
    await expect(slots.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(slots.run(() => Promise.resolve(1))).resolves.toBe(1);
  });
});
