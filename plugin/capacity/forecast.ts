/** Days until the next warning level and until full, from the net add rate over recent days. */
export interface Forecast {
  /** Net customers added per day over the window; null when there is too little history. */
  perDay: number | null;
  nextLevel: number | null;
  daysToNext: number | null;
  daysToFull: number | null;
}

const DAY_MS = 86_400_000;
/** Less history than this gives no rate: a few minutes of adds would extrapolate wildly. */
export const MIN_HISTORY_MS = 3_600_000;

export function forecastFill(input: {
  count: number;
  limit: number;
  levels: readonly number[];
  /** The oldest sample inside the window. */
  since: { at: Date; count: number } | null;
  now: Date;
}): Forecast {
  const { count, limit, since, now } = input;
  const percent = (count * 100) / limit;
  const nextLevel = [...input.levels].sort((a, b) => a - b).find((level) => level > percent) ?? null;
  const elapsed = since ? now.getTime() - since.at.getTime() : 0;
  if (!since || elapsed < MIN_HISTORY_MS) return { perDay: null, nextLevel, daysToNext: null, daysToFull: null };
  const perDay = ((count - since.count) * DAY_MS) / elapsed;
  if (perDay <= 0) return { perDay: round(perDay), nextLevel, daysToNext: null, daysToFull: null };
  const days = (target: number) => round(Math.max(0, target - count) / perDay);
  return {
    perDay: round(perDay),
    nextLevel,
    daysToNext: nextLevel === null ? null : days(Math.ceil((nextLevel * limit) / 100)),
    daysToFull: days(limit),
  };
}

const round = (n: number) => Math.round(n * 10) / 10;

/** The forecast as the warning and the UI word it (zh-CN; the UI has its own English). */
export function forecastText(forecast: Forecast): string {
  if (forecast.daysToFull === null) return '';
  const parts: string[] = [];
  if (forecast.nextLevel !== null && forecast.daysToNext !== null) parts.push(`约${forecast.daysToNext}天后达到${forecast.nextLevel}%`);
  parts.push(`约${forecast.daysToFull}天后满员`);
  return `按近期日均新增${forecast.perDay}人，预计${parts.join('，')}。`;
}
