/** Where a command writes: lines to stdout and stderr, and whether stdout is a terminal. */
export interface CommandIO {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** stdout is a terminal (the operator commands colour their tables then, unless NO_COLOR is set). */
  readonly isTTY?: boolean;
}
