import { expect, it } from 'vitest';

it('fails on purpose (run by test/foundation/exit-code.test.ts)', () => {
  expect(1 + 1).toBe(3);
});
