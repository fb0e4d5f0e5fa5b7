/**
 * Client-side limits shared by every caller of one client: a per-API budget per window and a cap on
 * concurrent requests. A budget slot stays taken until `windowMs` after its response arrived, so the
 * server can never see more than `perApi` arrivals of one API inside any window of that length.
 */

export interface RateLimiterOptions {
  perApi: number;
  windowMs: number;
  concurrency: number;
}

interface Slot {
  releasedAt?: number;
}

export interface RateLimiter {
  schedule<T>(api: string, task: () => Promise<T>): Promise<T>;
  /** Slots in use for an API (in flight or inside the window); for tests and metrics. */
  usage(api: string): number;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const slotsByApi = new Map<string, Slot[]>();
  const budgetWaiters = new Map<string, (() => void)[]>();
  const concurrencyWaiters: (() => void)[] = [];
  let running = 0;

  function liveSlots(api: string, now: number): Slot[] {
    const slots = (slotsByApi.get(api) ?? []).filter((slot) => slot.releasedAt === undefined || slot.releasedAt + options.windowMs > now);
    slotsByApi.set(api, slots);
    return slots;
  }

  function wake(api: string): void {
    const waiters = budgetWaiters.get(api) ?? [];
    budgetWaiters.set(api, []);
    for (const resume of waiters) resume();
  }

  async function takeBudget(api: string): Promise<Slot> {
    for (;;) {
      const now = Date.now();
      const slots = liveSlots(api, now);
      if (slots.length < options.perApi) {
        const slot: Slot = {};
        slots.push(slot);
        return slot;
      }
      const expiries = slots.filter((s) => s.releasedAt !== undefined).map((s) => (s.releasedAt as number) + options.windowMs - now);
      await new Promise<void>((resolve) => {
        const waiters = budgetWaiters.get(api) ?? [];
        budgetWaiters.set(api, waiters);
        let timer: NodeJS.Timeout | undefined;
        const resume = () => {
          if (timer) clearTimeout(timer);
          resolve();
        };
        waiters.push(resume);
        if (expiries.length > 0) timer = setTimeout(resume, Math.max(1, Math.min(...expiries) + 1));
      });
    }
  }

  async function takeConcurrency(): Promise<void> {
    if (running < options.concurrency) {
      running += 1;
      return;
    }
    await new Promise<void>((resolve) => concurrencyWaiters.push(resolve));
  }

  function releaseConcurrency(): void {
    const next = concurrencyWaiters.shift();
    if (next) next();
    else running -= 1;
  }

  return {
    async schedule(api, task) {
      const slot = await takeBudget(api);
      await takeConcurrency();
      try {
        return await task();
      } finally {
        releaseConcurrency();
        slot.releasedAt = Date.now();
        // A released slot frees budget only after the window; wake waiters so they set their timers.
        wake(api);
      }
    },
    usage: (api) => liveSlots(api, Date.now()).length,
  };
}
