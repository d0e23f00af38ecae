/**
 * Docker health checks in the form the Docker provider reads back. The provider stores what it
 * reads from the Engine API, where durations are Go `time.Duration` values, printed with Go's
 * `Duration.String()`: `180s` comes back as `3m0s`. A duration written any other way differs from
 * the read-back value on every `pulumi preview` and `pulumi refresh`, so every duration we pass is
 * written the canonical way, from whole seconds.
 */

/** Go's `time.Duration.String()` for a whole number of seconds: `0s`, `45s`, `3m0s`, `1h0m0s`, `26h30m5s`. */
export function goDuration(seconds: number): string {
  if (!Number.isInteger(seconds) || seconds < 0)
    throw new Error(
      `a health check duration must be a whole, non-negative number of seconds (got ${seconds})`,
    );
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (hours > 0) return `${hours}h${minutes}m${rest}s`;
  if (minutes > 0) return `${minutes}m${rest}s`;
  return `${rest}s`;
}

/** A health check as the components plan it, durations in whole seconds. */
export interface HealthcheckPlan {
  /** Docker's test: `["CMD", …]` or `["CMD-SHELL", "…"]`. */
  tests: string[];
  intervalSeconds: number;
  timeoutSeconds: number;
  /** Failures during this time after start do not count. */
  startPeriodSeconds: number;
  retries: number;
}

/** The health check as docker.Container takes it, with every duration in the provider's canonical form. */
export interface DockerHealthcheck {
  tests: string[];
  interval: string;
  timeout: string;
  startPeriod: string;
  retries: number;
}

export function dockerHealthcheck(plan: HealthcheckPlan): DockerHealthcheck {
  return {
    tests: plan.tests,
    interval: goDuration(plan.intervalSeconds),
    timeout: goDuration(plan.timeoutSeconds),
    startPeriod: goDuration(plan.startPeriodSeconds),
    retries: plan.retries,
  };
}

/**
 * Published ports in the order the provider reads them back (by container port), so the inputs and
 * the refreshed state list them alike.
 */
export function byContainerPort<T extends { internal: number }>(ports: T[]): T[] {
  return [...ports].sort((a, b) => a.internal - b.internal);
}
