/** Fields every pino entry carries that the one-line format shows in its own way or leaves out. */
const shownApart = new Set(['time', 'level', 'msg', 'pid', 'hostname']);

function fieldText(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value) ?? String(value);
}

function clockTime(time: unknown): string {
  const date = new Date(typeof time === 'string' || typeof time === 'number' ? time : Number.NaN);
  return Number.isNaN(date.getTime()) ? '--:--:--' : date.toTimeString().slice(0, 8);
}

/**
 * One log entry (a parsed pino JSON line) as a line for people at a terminal:
 * `12:00:01 INFO  Listening url=http://127.0.0.1:8080`. Times are local; values with spaces are quoted.
 */
export function formatLogLine(entry: Readonly<Record<string, unknown>>): string {
  const level = typeof entry.level === 'string' ? entry.level.toUpperCase() : String(entry.level ?? '');
  const fields = Object.entries(entry)
    .filter(([key]) => !shownApart.has(key))
    .map(([key, value]) => `${key}=${fieldText(value)}`);
  return [clockTime(entry.time), level.padEnd(5), String(entry.msg ?? ''), ...fields].join(' ');
}
