/**
 * Backup schedules: an interval (`30m`, `6h`, `1d`, `1h30m`) or a five-field cron expression
 * evaluated in UTC. Parsing and the arithmetic the health check needs (the longest gap between two
 * runs) live here; the runner script computes its next run from the expanded fields this module
 * renders, and a test holds the two to the same answers.
 */

import { parseDuration } from "../neo4j/checks";

export interface IntervalSchedule {
  kind: "interval";
  /** As written. */
  text: string;
  seconds: number;
}

/** A cron expression expanded into the values each field allows. */
export interface CronSchedule {
  kind: "cron";
  text: string;
  minutes: number[];
  hours: number[];
  daysOfMonth: number[];
  months: number[];
  /** 0 = Sunday … 6 = Saturday. */
  daysOfWeek: number[];
  /** Cron's own rule: when both day fields are restricted a day matches either of them. */
  daysOfMonthRestricted: boolean;
  daysOfWeekRestricted: boolean;
}

export type Schedule = IntervalSchedule | CronSchedule;

/** Shorter intervals would start a new backup before a JVM-based neo4j-admin run has finished. */
export const MIN_INTERVAL_SECONDS = 60;

const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

const MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

interface FieldRule {
  name: string;
  min: number;
  max: number;
  names?: string[];
  /** The first name maps to this number (months count from 1). */
  namesFrom?: number;
}

const FIELDS: FieldRule[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTH_NAMES, namesFrom: 1 },
  // 7 is Sunday too, as in Vixie cron.
  { name: "day of week", min: 0, max: 7, names: DAY_NAMES, namesFrom: 0 },
];

function fieldValue(rule: FieldRule, token: string): number {
  const lower = token.toLowerCase();
  if (rule.names && rule.names.includes(lower)) return rule.names.indexOf(lower) + (rule.namesFrom ?? 0);
  if (!/^\d+$/.test(token)) throw new Error(`${rule.name} field: ${JSON.stringify(token)} is not a number`);
  const n = Number(token);
  if (n < rule.min || n > rule.max)
    throw new Error(`${rule.name} field: ${n} is outside ${rule.min}-${rule.max}`);
  return n;
}

function expandField(rule: FieldRule, text: string): number[] {
  const values = new Set<number>();
  for (const part of text.split(",")) {
    const [range, stepText, extra] = part.split("/");
    if (extra !== undefined || range === "")
      throw new Error(`${rule.name} field: ${JSON.stringify(part)} is malformed`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1 || (stepText !== undefined && !/^\d+$/.test(stepText)))
      throw new Error(`${rule.name} field: step ${JSON.stringify(stepText)} must be a positive whole number`);
    let from: number;
    let to: number;
    if (range === "*") {
      from = rule.min;
      to = rule.max;
    } else if (range.includes("-")) {
      const [a, b] = range.split("-");
      from = fieldValue(rule, a);
      to = fieldValue(rule, b);
      if (from > to) throw new Error(`${rule.name} field: range ${range} runs backwards`);
    } else {
      from = fieldValue(rule, range);
      // `5/15` means from 5 to the end in steps of 15.
      to = stepText === undefined ? from : rule.max;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

/** Parses a cron expression or throws an Error saying which field is wrong. */
export function parseCron(text: string): CronSchedule {
  const expanded = MACROS[text.trim().toLowerCase()] ?? text.trim();
  const fields = expanded.split(/\s+/);
  if (fields.length !== 5)
    throw new Error(
      `a cron expression has five fields (minute hour day-of-month month day-of-week), got ${fields.length}`,
    );
  const [minutes, hours, daysOfMonth, months, rawDaysOfWeek] = fields.map((f, i) =>
    expandField(FIELDS[i], f),
  );
  const daysOfWeek = [...new Set(rawDaysOfWeek.map((d) => d % 7))].sort((a, b) => a - b);
  return {
    kind: "cron",
    text,
    minutes,
    hours,
    daysOfMonth,
    months,
    daysOfWeek,
    daysOfMonthRestricted: !fields[2].startsWith("*"),
    daysOfWeekRestricted: !fields[4].startsWith("*"),
  };
}

function dayMatches(cron: CronSchedule, day: Date): boolean {
  if (!cron.months.includes(day.getUTCMonth() + 1)) return false;
  const dom = cron.daysOfMonth.includes(day.getUTCDate());
  const dow = cron.daysOfWeek.includes(day.getUTCDay());
  if (cron.daysOfMonthRestricted && cron.daysOfWeekRestricted) return dom || dow;
  if (cron.daysOfMonthRestricted) return dom;
  if (cron.daysOfWeekRestricted) return dow;
  return true;
}

/** How far ahead a firing is searched: eight years covers 29 February after a skipped leap year. */
export const CRON_SEARCH_DAYS = 8 * 366;

/** The first firing strictly after `afterSeconds` (Unix time), or undefined when none comes within eight years. */
export function nextCronFiring(cron: CronSchedule, afterSeconds: number): number | undefined {
  const startDay = Math.floor(afterSeconds / 86400) * 86400;
  for (let d = 0; d < CRON_SEARCH_DAYS; d++) {
    const day = startDay + d * 86400;
    if (!dayMatches(cron, new Date(day * 1000))) continue;
    for (const h of cron.hours)
      for (const m of cron.minutes) {
        const t = day + h * 3600 + m * 60;
        if (t > afterSeconds) return t;
      }
  }
  return undefined;
}

/**
 * The longest wait between two consecutive firings, over eight years from 2025-01-01 (so every
 * weekday, month length and leap day is seen). The health check allows twice this.
 */
export function longestCronGap(cron: CronSchedule): number {
  const start = Date.UTC(2025, 0, 1) / 1000;
  const end = start + CRON_SEARCH_DAYS * 86400;
  let previous: number | undefined;
  let longest = 0;
  // One sweep over the days: a firing-by-firing search would be quadratic for `* * * * *`.
  for (let day = start; day < end + CRON_SEARCH_DAYS * 86400; day += 86400) {
    if (!dayMatches(cron, new Date(day * 1000))) continue;
    for (const h of cron.hours)
      for (const m of cron.minutes) {
        const t = day + h * 3600 + m * 60;
        if (previous !== undefined) longest = Math.max(longest, t - previous);
        previous = t;
        if (t >= end) return longest;
      }
  }
  throw new Error(`${JSON.stringify(cron.text)} fires less than once in eight years`);
}

/** Parses a schedule: a duration for an interval, a cron expression (five fields or `@daily` and friends) otherwise. */
export function parseSchedule(text: string): Schedule {
  const trimmed = text.trim();
  const ms = parseDuration(trimmed);
  if (ms !== undefined) {
    const seconds = ms / 1000;
    if (seconds < MIN_INTERVAL_SECONDS)
      throw new Error(
        `must be an interval of at least ${MIN_INTERVAL_SECONDS} seconds, since every run starts a JVM for neo4j-admin (got ${JSON.stringify(text)})`,
      );
    if (!Number.isInteger(seconds))
      throw new Error(`must be an interval of whole seconds (got ${JSON.stringify(text)})`);
    return { kind: "interval", text: trimmed, seconds };
  }
  if (trimmed.startsWith("@") || /\s/.test(trimmed)) return parseCron(trimmed);
  throw new Error(
    `must be an interval like "30m", "6h" or "1d", or a cron expression like "0 3 * * *" (got ${JSON.stringify(text)})`,
  );
}

/** The longest time between two scheduled runs, in seconds. */
export function schedulePeriod(schedule: Schedule): number {
  return schedule.kind === "interval" ? schedule.seconds : longestCronGap(schedule);
}

/**
 * The schedule as a five-field cron expression, for schedulers that take only cron (a Kubernetes
 * CronJob). An interval becomes one when it divides an hour or a day evenly (`30m` is
 * `*\/30 * * * *`, `6h` is `0 *\/6 * * *`, `1d` is `0 0 * * *`); any other interval has no cron
 * form, and the error says so. A macro is written out.
 */
export function cronExpression(schedule: Schedule): string {
  if (schedule.kind === "cron") return MACROS[schedule.text] ?? schedule.text;
  const minutes = schedule.seconds / 60;
  if (Number.isInteger(minutes)) {
    if (minutes < 60 && 60 % minutes === 0) return minutes === 1 ? "* * * * *" : `*/${minutes} * * * *`;
    const hours = minutes / 60;
    if (Number.isInteger(hours) && hours < 24 && 24 % hours === 0)
      return hours === 1 ? "0 * * * *" : `0 */${hours} * * *`;
    if (hours === 24) return "0 0 * * *";
  }
  throw new Error(
    `is the interval ${JSON.stringify(schedule.text)}, which no cron expression repeats exactly: use an interval that divides an hour or a day evenly (such as 30m, 2h or 1d), or a cron expression such as "0 3 * * *"`,
  );
}
