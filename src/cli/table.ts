/**
 * Column output for the operator commands: widths from the plain text, colour applied after padding so
 * escape codes never shift a column. Small enough that a table library would be more code to configure.
 */
export interface Column {
  readonly header: string;
  /** Right-align (numbers). */
  readonly right?: boolean;
}

export type Paint = (text: string, row: number, column: number) => string;

export function formatTable(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  paint?: Paint,
): string[] {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[], rowIndex: number | null): string =>
    cells
      .map((cell, i) => {
        const w = widths[i]!;
        const padded = columns[i]!.right ? cell.padStart(w) : i === cells.length - 1 ? cell : cell.padEnd(w);
        return rowIndex === null || !paint ? padded : paint(padded, rowIndex, i);
      })
      .join('  ')
      .trimEnd();
  return [
    line(
      columns.map((c) => c.header),
      null,
    ),
    ...rows.map((r, i) => line(r, i)),
  ];
}
