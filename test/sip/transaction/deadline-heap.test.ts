import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeadlineHeap } from '../../../src/sip/transaction/deadline-heap';

describe('DeadlineHeap', () => {
  it('pops deadlines in ascending order, whatever the order of pushes and compactions', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 1_000_000 }), fc.boolean()), { maxLength: 300 }),
        (entries) => {
          const heap = new DeadlineHeap<number>();
          entries.forEach(([at], i) => heap.push(at, i));
          // Drop the entries flagged false, as the layer drops stale ones.
          heap.compact((_at, i) => (entries[i] as [number, boolean])[1]);
          const popped: number[] = [];
          while (heap.peekAt() !== null) {
            const at = heap.peekAt() as number;
            const i = heap.peekItem() as number;
            expect((entries[i] as [number, boolean])[0]).toBe(at);
            popped.push(at);
            heap.pop();
          }
          const expected = entries
            .filter(([, keep]) => keep)
            .map(([at]) => at)
            .sort((a, b) => a - b);
          expect(popped).toEqual(expected);
          expect(heap.length).toBe(0);
        },
      ),
    );
  });
});
