/**
 * A parser for the five-field cron schedules Kubernetes CronJobs take (minute, hour, day of
 * month, month, day of week), so a schedule is checked for what it means, not its shape.
 * Accepts what the CronJob controller's parser (robfig/cron/v3 `ParseStandard`) accepts:
 * `*`, numbers, ranges `a-b`, steps `*\/n` and `a-b/n`, lists, month and weekday names, and
 * the `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`/`@annually` descriptors.
 * @see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#schedule-syntax
 * @see https://github.com/robfig/cron/blob/v3.0.1/parser.go
 */

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS: readonly Field[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  {
    name: "month",
    min: 1,
    max: 12,
    names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
  },
  // 7 is not accepted by robfig/cron's standard parser (Sunday is 0).
  { name: "day of week", min: 0, max: 6, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];

const DESCRIPTORS = new Set([
  "@yearly",
  "@annually",
  "@monthly",
  "@weekly",
  "@daily",
  "@midnight",
  "@hourly",
]);

function value(text: string, field: Field): number {
  const index = field.names?.indexOf(text.toLowerCase()) ?? -1;
  if (index >= 0) return field.min + index;
  if (!/^\d+$/.test(text)) throw new Error(`"${text}" is not a number${field.names ? " or a name" : ""}`);
  const n = Number(text);
  if (n < field.min || n > field.max) throw new Error(`${n} is outside ${field.min}-${field.max}`);
  return n;
}

function part(text: string, field: Field): void {
  const [range, step, ...rest] = text.split("/");
  if (rest.length > 0) throw new Error(`"${text}" has more than one "/"`);
  if (step !== undefined && !/^[1-9]\d*$/.test(step))
    throw new Error(`step "${step}" must be a positive number`);
  if (range === "*" || range === "?") return;
  const [from, to, ...more] = range.split("-");
  if (more.length > 0) throw new Error(`"${range}" is not a range a-b`);
  const low = value(from, field);
  if (to !== undefined && value(to, field) < low) throw new Error(`range "${range}" runs backwards`);
}

/**
 * Checks a schedule; returns `undefined` when it is valid, or what is wrong with it.
 */
export function cronProblem(schedule: string): string | undefined {
  const text = schedule.trim();
  if (text.startsWith("@")) {
    return DESCRIPTORS.has(text)
      ? undefined
      : `unknown descriptor "${text}"; use one of ${[...DESCRIPTORS].join(", ")}`;
  }
  if (/^(CRON_)?TZ=/.test(text))
    return "time zones belong in the CronJob's spec.timeZone, not in the schedule";
  const fields = text.split(/\s+/);
  if (fields.length !== 5) {
    return `expected 5 fields (minute hour day-of-month month day-of-week), found ${fields.length}`;
  }
  for (let i = 0; i < 5; i++) {
    try {
      fields[i].split(",").forEach((p) => part(p, FIELDS[i]));
    } catch (error) {
      return `${FIELDS[i].name} field "${fields[i]}": ${(error as Error).message}`;
    }
  }
  return undefined;
}
