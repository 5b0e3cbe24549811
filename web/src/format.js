// Times, durations and numbers as the dashboard shows them (UTC throughout).

/** Epoch seconds from an ISO 8601 string (or a number of seconds). */
export function toEpoch(value) {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return value;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms / 1000;
}

/** ISO 8601 UTC with Z, to the second, from epoch seconds. */
export function isoZ(epoch) {
  return new Date(Math.round(epoch) * 1000).toISOString().replace('.000Z', 'Z');
}

/** "2023-09-07 10:12Z" */
export function fmtTime(value, seconds = false) {
  const t = toEpoch(value);
  if (t === null) return '–';
  const iso = new Date(t * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, seconds ? 19 : 16)}Z`;
}

/** "09-07 10:12" (no year, for narrow lists; UTC) */
export function fmtShort(value) {
  const t = toEpoch(value);
  return t === null ? '–' : new Date(t * 1000).toISOString().slice(5, 16).replace('T', ' ');
}

export function fmtDay(epoch) {
  return new Date(epoch * 1000).toISOString().slice(5, 10);
}

export function fmtDuration(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

export function fmtNumber(n) {
  return n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US');
}

export function fmtFixed(n, digits = 1) {
  return n === null || n === undefined || Number.isNaN(n) ? '–' : Number(n).toFixed(digits);
}

export const typeLabel = (type) => String(type || '').replace(/_/g, ' ');
