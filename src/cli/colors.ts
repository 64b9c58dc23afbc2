/**
 * Colour when a person reads the output: stdout is a terminal and NO_COLOR (https://no-color.org) is unset
 * or empty. Health states get the colours operators expect (green healthy, yellow warning/degraded, red
 * critical/down).
 */
import picocolors from 'picocolors';

export type Colors = ReturnType<typeof picocolors.createColors>;

export function colorWanted(isTTY: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  const noColor = env['NO_COLOR'];
  return isTTY === true && (noColor === undefined || noColor === '');
}

export function colors(enabled: boolean): Colors {
  return picocolors.createColors(enabled);
}

export function paintState(c: Colors, state: string, text: string = state): string {
  switch (state.trim()) {
    case 'healthy':
      return c.green(text);
    case 'warning':
    case 'degraded':
      return c.yellow(text);
    case 'critical':
    case 'down':
      return c.red(text);
    default:
      return c.dim(text);
  }
}
