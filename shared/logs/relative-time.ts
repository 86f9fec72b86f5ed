/** Reads times like `now`, `-30m`, `-2h`, `-7d` or ISO 8601, relative to a given `now`. Pure. */

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Returns the time, or `undefined` when the text is none of the accepted forms. */
export function parseTimeExpression(text: string, now: Date): Date | undefined {
  const value = text.trim();
  if (value === 'now') return new Date(now.getTime());
  const relative = /^-(\d+)([smhdw])$/.exec(value);
  if (relative !== null) {
    const unit = UNIT_MS[relative[2] ?? ''];
    return unit === undefined ? undefined : new Date(now.getTime() - Number(relative[1]) * unit);
  }
  const iso = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(value);
  if (iso === null || !isCalendarDate(Number(iso[1]), Number(iso[2]), Number(iso[3]))) return undefined;
  const ms = Date.parse(/T.*(Z|[+-]\d{2}:\d{2})$/.test(value) || !value.includes('T') ? value : `${value}Z`);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** True when the day exists in that month (Date.parse would roll 2024-02-30 over to March). */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}
