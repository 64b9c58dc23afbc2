/**
 * A binary min-heap of (deadline, item) pairs in two parallel arrays, so that thousands of live
 * transactions cost O(log n) per timer change and no object per entry. Entries are never removed from the
 * middle: the owner re-pushes an item whenever its deadline changes and skips stale entries when they
 * surface (lazy deletion), then `compact`s once stale entries outnumber live ones.
 */
export class DeadlineHeap<T> {
  private readonly at: number[] = [];
  private readonly items: T[] = [];

  get length(): number {
    return this.at.length;
  }

  push(at: number, item: T): void {
    this.at.push(at);
    this.items.push(item);
    this.siftUp(this.at.length - 1);
  }

  /** The earliest deadline, or null when empty. */
  peekAt(): number | null {
    return this.at.length === 0 ? null : (this.at[0] as number);
  }

  peekItem(): T | undefined {
    return this.items[0];
  }

  /** Removes the earliest entry. */
  pop(): void {
    const last = this.at.length - 1;
    if (last < 0) return;
    this.swap(0, last);
    this.at.pop();
    this.items.pop();
    if (last > 0) this.siftDown(0);
  }

  /** Keeps only the entries `keep` accepts, then restores the heap order in O(n). */
  compact(keep: (at: number, item: T) => boolean): void {
    let w = 0;
    for (let r = 0; r < this.at.length; r++) {
      const at = this.at[r] as number;
      const item = this.items[r] as T;
      if (keep(at, item)) {
        this.at[w] = at;
        this.items[w] = item;
        w++;
      }
    }
    this.at.length = w;
    this.items.length = w;
    for (let i = (w >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((this.at[parent] as number) <= (this.at[i] as number)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const n = this.at.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < n && (this.at[l] as number) < (this.at[min] as number)) min = l;
      if (r < n && (this.at[r] as number) < (this.at[min] as number)) min = r;
      if (min === i) return;
      this.swap(i, min);
      i = min;
    }
  }

  private swap(a: number, b: number): void {
    const at = this.at[a] as number;
    this.at[a] = this.at[b] as number;
    this.at[b] = at;
    const item = this.items[a] as T;
    this.items[a] = this.items[b] as T;
    this.items[b] = item;
  }
}
