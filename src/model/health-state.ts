/** The guide's five health states; the string values are what the REST API and the database carry. */
export enum HealthState {
  HEALTHY = 'healthy',
  WARNING = 'warning',
  CRITICAL = 'critical',
  DOWN = 'down',
  DEGRADED = 'degraded',
}

export const HEALTH_STATES: readonly HealthState[] = Object.values(HealthState);
