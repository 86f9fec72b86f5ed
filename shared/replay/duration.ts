/** ISO-8601 durations of the scenario format: weeks, days, hours, minutes, (fractional) seconds. */

const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d{1,3})?)S)?)?$/;
const CALENDAR = /^P(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T.*)?$/;

/** A text that is not an ISO-8601 duration the replay can use; the message says why. */
export class DurationError extends Error {
  public readonly code = 'INVALID_DURATION';

  public constructor(message: string) {
    super(message);
    this.name = 'DurationError';
  }
}

/**
 * Parses `PT30S`, `PT1H30M`, `P1DT2H`, `PT0.5S` into milliseconds. Years and months are refused:
 * their length depends on the calendar, and a replay needs an exact offset.
 */
export function parseIsoDuration(text: string): number {
  const m = DURATION.exec(text);
  const hasPart = m !== null && m.slice(1).some((part) => part !== undefined);
  if (m === null || !hasPart || text.endsWith('T')) {
    const calendar = /\d+Y|^P[^T]*\d+M/.test(text) && CALENDAR.test(text);
    throw new DurationError(
      calendar
        ? `"${text}" uses years or months, which have no fixed length; use weeks, days, hours, minutes or seconds`
        : `"${text}" is not an ISO-8601 duration (e.g. PT30S, PT5M, PT1H30M, P1DT2H)`,
    );
  }
  const [, weeks, days, hours, minutes, seconds] = m;
  const whole = (part: string | undefined): number => (part === undefined ? 0 : Number(part));
  const secondsMs = seconds === undefined ? 0 : Math.round(Number(seconds.replace(',', '.')) * 1000);
  return (
    ((whole(weeks) * 7 + whole(days)) * 86_400 + whole(hours) * 3600 + whole(minutes) * 60) * 1000 + secondsMs
  );
}

/** Formats milliseconds as the shortest ISO-8601 duration, e.g. `PT1H5M`, `PT0S`, `P1DT2H`. */
export function formatIsoDuration(ms: number): string {
  const totalMs = Math.max(0, Math.round(ms));
  const days = Math.floor(totalMs / 86_400_000);
  const hours = Math.floor((totalMs % 86_400_000) / 3_600_000);
  const minutes = Math.floor((totalMs % 3_600_000) / 60_000);
  const millis = totalMs % 60_000;
  const seconds = millis % 1000 === 0 ? String(millis / 1000) : (millis / 1000).toFixed(3).replace(/0+$/, '');
  const time = `${hours > 0 ? `${hours}H` : ''}${minutes > 0 ? `${minutes}M` : ''}${millis > 0 ? `${seconds}S` : ''}`;
  if (days === 0) return time === '' ? 'PT0S' : `PT${time}`;
  return `P${days}D${time === '' ? '' : `T${time}`}`;
}
