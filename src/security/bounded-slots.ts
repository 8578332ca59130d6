/** Thrown when every slot is busy and the waiting line is full. */
export class SlotsExhaustedError extends Error {
  constructor() {
    super('too many concurrent operations');
    this.name = 'SlotsExhaustedError';
  }
}

/**
 * A counting semaphore with a bounded, first-come waiting line. Work beyond `running` slots waits;
 * beyond `waiting` queued callers it is refused at once, so a flood costs a quick refusal instead
 * of memory and ever-growing latency for every other caller.
 */
export class BoundedSlots {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly running: number,
    private readonly waiting: number,
  ) {
    if (running < 1 || waiting < 0) throw new RangeError('running >= 1 and waiting >= 0 required');
  }

  /** Callers currently waiting for a slot. */
  get queued(): number {
    return this.queue.length;
  }

  get inUse(): number {
    return this.active;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.running) {
      this.active++;
      return Promise.resolve();
    }
    if (this.queue.length >= this.waiting) return Promise.reject(new SlotsExhaustedError());
    // The releasing caller hands its slot over directly, so `active` stays as it is.
    return new Promise((resolve) => this.queue.push(resolve));
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.active--;
  }
}
