import fc from "fast-check";
import { cronProblem } from "../../lib/cron";

describe("cronProblem", () => {
  it.each([
    "0 * * * *",
    "*/15 2-6 * * mon-fri",
    "0 3 1,15 jan,jul 0",
    "@hourly",
    "5 4 * * sun",
    "0 0-23/2 * * *",
  ])("accepts %s", (schedule) => expect(cronProblem(schedule)).toBeUndefined());

  it.each([
    ["0 * * *", "expected 5 fields (minute hour day-of-month month day-of-week), found 4"],
    ["60 * * * *", 'minute field "60": 60 is outside 0-59'],
    ["0 24 * * *", 'hour field "24": 24 is outside 0-23'],
    ["0 0 0 * *", 'day of month field "0": 0 is outside 1-31'],
    ["0 0 * 13 *", 'month field "13": 13 is outside 1-12'],
    ["0 0 * * 7", 'day of week field "7": 7 is outside 0-6'],
    ["*/0 * * * *", 'minute field "*/0": step "0" must be a positive number'],
    ["0 5-2 * * *", 'hour field "5-2": range "5-2" runs backwards'],
    ["0 0 * * funday", 'day of week field "funday": "funday" is not a number or a name'],
    [
      "@every 5m",
      'unknown descriptor "@every 5m"; use one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly',
    ],
    ["CRON_TZ=UTC 0 * * * *", "time zones belong in the CronJob's spec.timeZone, not in the schedule"],
  ])("rejects %s", (schedule, problem) => expect(cronProblem(schedule)).toBe(problem));

  it("accepts every single-value schedule in range", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 1, max: 31 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 6 }),
        (m, h, d, mo, w) => cronProblem(`${m} ${h} ${d} ${mo} ${w}`) === undefined,
      ),
    );
  });
});
