import { describe, expect, it } from 'vitest';
import { afterRequest, planTakers, roomBelowHardLevel } from './handover-plan.js';

describe('handover plan', () => {
  it('fills takers in order up to their room and leaves the rest unplaced', () => {
    const customers = ['c1', 'c2', 'c3', 'c4', 'c5'];
    const plan = planTakers(customers, [{ userid: 'primary', room: 2 }, { userid: 'full', room: 0 }, { userid: 'backup', room: 2 }]);
    expect(Object.fromEntries(plan.assigned)).toEqual({ primary: ['c1', 'c2'], backup: ['c3', 'c4'] });
    expect(plan.unplaced).toEqual(['c5']);
    expect(planTakers(customers, []).unplaced).toEqual(customers);
  });

  it('counts the room up to the hard level, minus customers already on their way', () => {
    expect(roomBelowHardLevel({ count: 90, limit: 100, hardLevel: 95, inbound: 0 })).toBe(5);
    expect(roomBelowHardLevel({ count: 90, limit: 100, hardLevel: 95, inbound: 3 })).toBe(2);
    expect(roomBelowHardLevel({ count: 99, limit: 100, hardLevel: 95, inbound: 0 })).toBe(0);
    expect(roomBelowHardLevel({ count: 4000, limit: 5000, hardLevel: 95, inbound: 0 })).toBe(750);
  });

  it('reads per-customer errcodes', () => {
    expect([0, 40129, 40099, 40128, 84061, 40003].map(afterRequest)).toEqual(['waiting', 'in_progress', 'retry_elsewhere', 'too_frequent', 'not_customer', 'failed']);
  });
});
