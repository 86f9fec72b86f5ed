import { MalformedEventError } from './errors';

// CloudWatch writes offsets without a colon (`+0000`); ISO-8601 and Date.parse expect `+00:00`.
const CW_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/;

/** Parses a CloudWatch or ISO-8601 timestamp (e.g. `2023-08-04T12:36:15.490+0000`) to epoch ms. */
export function parseCloudWatchTime(value: string, field = 'timestamp'): number {
  const m = CW_TIME.exec(value.trim());
  if (!m) throw new MalformedEventError(`${field}: "${value.slice(0, 64)}" is not a CloudWatch timestamp`);
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = frac ? Number(frac.padEnd(3, '0').slice(0, 3)) : 0;
  let offsetMin = 0;
  if (zone && zone !== 'Z') {
    const digits = zone.replace(':', '');
    const sign = digits.startsWith('-') ? -1 : 1;
    offsetMin = sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  const result = utc - offsetMin * 60_000;
  // Date.UTC rolls 2023-02-30 over to March; a round trip of the day catches it.
  if (
    !Number.isFinite(result) ||
    new Date(utc).getUTCDate() !== Number(d) ||
    Number(h) > 23 ||
    Number(mi) > 59
  ) {
    throw new MalformedEventError(`${field}: "${value}" is not a valid date`);
  }
  return result;
}
