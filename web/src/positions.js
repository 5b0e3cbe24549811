// The positions stream (Arrow IPC, docs/dashboard.md) as typed arrays, and what the map
// derives from them: vessel runs and track segments. No per-row JS objects anywhere.
import {tableFromIPC} from 'apache-arrow';

/** A track is cut where two reports of a vessel are further apart than this, so no solid
 * line crosses a dark leg (the dark legs layer draws the detected ones). */
export const SPLIT_S = 3600;

function column(batch, name, Type, width = 1) {
  const data = batch.getChild(name).data[0];
  const leaf = width === 1 ? data : data.children[0];
  const start = (data.offset + (width === 1 ? 0 : leaf.offset)) * width;
  const values = leaf.values;
  const out = values.subarray(start, start + data.length * width);
  return out instanceof Type ? out : Type.from(out);
}

function concat(parts, Type) {
  if (parts.length === 1) return parts[0];
  const out = new Type(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** {n, mmsi, t, position (lon,lat interleaved), sog, cog, meta} from the stream's bytes. */
export function decodePositions(buffer) {
  const table = tableFromIPC(new Uint8Array(buffer));
  const meta = Object.fromEntries(table.schema.metadata || new Map());
  const cols = {mmsi: [], t: [], position: [], sog: [], cog: []};
  for (const batch of table.batches) {
    if (batch.numRows === 0) continue;
    cols.mmsi.push(column(batch, 'mmsi', Uint32Array));
    cols.t.push(column(batch, 't', Uint32Array));
    cols.position.push(column(batch, 'position', Float32Array, 2));
    cols.sog.push(column(batch, 'sog', Float32Array));
    cols.cog.push(column(batch, 'cog', Float32Array));
  }
  const empty = {mmsi: Uint32Array, t: Uint32Array, position: Float32Array, sog: Float32Array, cog: Float32Array};
  const out = {meta};
  for (const [key, Type] of Object.entries(empty)) {
    out[key] = cols[key].length ? concat(cols[key], Type) : new Type(0);
  }
  out.n = out.mmsi.length;
  return out;
}

/** No positions (a store without any, or a stream that could not be read). */
export function emptyPositions() {
  return {n: 0, meta: {}, mmsi: new Uint32Array(0), t: new Uint32Array(0),
    position: new Float32Array(0), sog: new Float32Array(0), cog: new Float32Array(0)};
}

/** Rows are sorted by (mmsi, t): one run [start, end) per vessel. */
export function vesselRuns(mmsi) {
  const runs = new Map();
  const n = mmsi.length;
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i === n || mmsi[i] !== mmsi[start]) {
      runs.set(mmsi[start], [start, i]);
      start = i;
    }
  }
  return runs;
}

/** Start index of each track segment: a new vessel or a silence longer than splitS. */
export function segmentStarts(mmsi, t, splitS = SPLIT_S, from = 0, to = mmsi.length) {
  const starts = [];
  for (let i = from; i < to; i++) {
    if (i === from || mmsi[i] !== mmsi[i - 1] || t[i] - t[i - 1] > splitS) starts.push(i - from);
  }
  return Uint32Array.from(starts);
}

/** Seconds since `origin` as float32 (exact for spans up to ~194 days). */
export function relativeTimes(t, origin, from = 0, to = t.length) {
  const out = new Float32Array(to - from);
  for (let i = from; i < to; i++) out[i - from] = t[i] - origin;
  return out;
}

/** [minLon, minLat, maxLon, maxLat] of rows [from, to), or null. */
export function bounds(position, from, to) {
  if (to <= from) return null;
  let a = Infinity; let b = Infinity; let c = -Infinity; let d = -Infinity;
  for (let i = from; i < to; i++) {
    const x = position[2 * i]; const y = position[2 * i + 1];
    if (x < a) a = x; if (x > c) c = x;
    if (y < b) b = y; if (y > d) d = y;
  }
  return [a, b, c, d];
}

/** The first row in [from, to) whose time is >= time (t sorted within a vessel's run). */
export function lowerBound(t, time, from, to) {
  let lo = from; let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid] < time) lo = mid + 1; else hi = mid;
  }
  return lo;
}
