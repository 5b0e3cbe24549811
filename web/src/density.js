// The positions' density as one image, binned on the CPU from the typed arrays: the map then
// draws a single textured quad however many positions there are. A renderer without a GPU
// (headless Chromium draws WebGL in software) takes seconds a frame for a million points,
// but draws this in milliseconds; binning a million positions takes a few milliseconds.
//
// Bins are square cells of CELL_PX screen pixels in Web Mercator, the map's projection, so
// the image lies exactly on the map (deck.gl maps a bitmap linearly in Mercator). The image
// covers the view and half a view on every side, so a pan shows data before the image is
// binned again for the new view.

const CELL_PX = 4;
const PAD = 0.5; // share of the view binned beyond each edge
const MAX_LAT = 85.051129; // Web Mercator's limit
const DENSITY_COLORS = [
  [199, 233, 180], [127, 205, 187], [65, 182, 196], [29, 145, 192], [34, 94, 168], [12, 44, 132],
];
const ALPHA = 200;

/** Web Mercator x, y in [0, 1] (y down, as on screen) of a longitude and latitude. */
export function mercatorX(lon) {
  return (lon + 180) / 360;
}

export function mercatorY(lat) {
  const clamped = Math.max(-MAX_LAT, Math.min(MAX_LAT, lat));
  return 0.5 - Math.log(Math.tan(Math.PI / 4 + (clamped * Math.PI) / 360)) / (2 * Math.PI);
}

export function latitudeOf(y) {
  return (360 / Math.PI) * Math.atan(Math.exp((0.5 - y) * 2 * Math.PI)) - 90;
}

/** Mercator x, y of every position (interleaved, float32), computed once per load. */
export function mercatorPositions(position, n) {
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    out[2 * i] = mercatorX(position[2 * i]);
    out[2 * i + 1] = mercatorY(position[2 * i + 1]);
  }
  return out;
}

/**
 * Bin the positions for a view: {west, south, east, north} in degrees and its size in
 * pixels. `rel` and `filterRange` ([from, to] in the same seconds, or null) filter by time.
 * Returns {counts, cols, rows, bounds: [west, south, east, north] of the image, inView: the
 * positions inside the view itself (not the margin), inImage, max}.
 */
export function binPositions(merc, rel, n, view, filterRange) {
  const vx0 = mercatorX(view.west);
  const vx1 = mercatorX(view.east);
  const vy0 = mercatorY(view.north);
  const vy1 = mercatorY(view.south);
  const width = Math.max(1, view.width);
  const height = Math.max(1, view.height);
  const perPxX = (vx1 - vx0) / width;
  const perPxY = (vy1 - vy0) / height;
  // the image: the view padded, clamped to the world, whole cells
  const x0 = Math.max(0, vx0 - PAD * (vx1 - vx0));
  const x1 = Math.min(1, vx1 + PAD * (vx1 - vx0));
  const y0 = Math.max(mercatorY(MAX_LAT), vy0 - PAD * (vy1 - vy0));
  const y1 = Math.min(mercatorY(-MAX_LAT), vy1 + PAD * (vy1 - vy0));
  const cellX = CELL_PX * perPxX;
  const cellY = CELL_PX * perPxY;
  const cols = Math.max(1, Math.ceil((x1 - x0) / cellX));
  const rows = Math.max(1, Math.ceil((y1 - y0) / cellY));
  const counts = new Uint32Array(cols * rows);
  const sx = 1 / cellX;
  const sy = 1 / cellY;
  const lo = filterRange ? filterRange[0] : -Infinity;
  const hi = filterRange ? filterRange[1] : Infinity;
  let inView = 0;
  let inImage = 0;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const t = rel[i];
    if (t < lo || t > hi) continue;
    const x = merc[2 * i];
    const y = merc[2 * i + 1];
    const cx = Math.floor((x - x0) * sx);
    const cy = Math.floor((y - y0) * sy);
    if (cx < 0 || cx >= cols || cy < 0 || cy >= rows) continue;
    const c = ++counts[cy * cols + cx];
    if (c > max) max = c;
    inImage++;
    if (x >= vx0 && x <= vx1 && y >= vy0 && y <= vy1) inView++;
  }
  const bounds = [x0 * 360 - 180, latitudeOf(y0 + rows * cellY), x0 * 360 - 180 + cols * cellX * 360,
    latitudeOf(y0)];
  const box = {x0, y0, x1: x0 + cols * cellX, y1: y0 + rows * cellY};
  return {counts, cols, rows, bounds, box, inView, inImage, max};
}

/** The rows whose Mercator position lies in `box` ({x0, y0, x1, y1}), each with the rows
 * before and after it of the same vessel (`mmsi`), so that a track leaving the box is drawn
 * up to its next report outside: ascending row numbers. */
export function rowsNear(merc, mmsi, n, box) {
  const keep = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const x = merc[2 * i];
    const y = merc[2 * i + 1];
    if (x < box.x0 || x >= box.x1 || y < box.y0 || y >= box.y1) continue;
    keep[i] = 1;
    if (i > 0 && mmsi[i - 1] === mmsi[i]) keep[i - 1] = 1;
    if (i + 1 < n && mmsi[i + 1] === mmsi[i]) keep[i + 1] = 1;
  }
  let count = 0;
  for (let i = 0; i < n; i++) count += keep[i];
  const rows = new Uint32Array(count);
  let k = 0;
  for (let i = 0; i < n; i++) if (keep[i]) rows[k++] = i;
  return rows;
}

/** RGBA bytes of the binned counts: empty cells transparent, the others on a log scale of
 * six colours from the fewest to the most positions in a cell. */
export function densityPixels({counts, max}) {
  const rgba = new Uint8ClampedArray(counts.length * 4);
  if (max === 0) return rgba;
  const scale = DENSITY_COLORS.length / Math.log1p(max);
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (c === 0) continue;
    const k = Math.min(DENSITY_COLORS.length - 1, Math.floor(Math.log1p(c) * scale));
    const color = DENSITY_COLORS[k];
    rgba[4 * i] = color[0];
    rgba[4 * i + 1] = color[1];
    rgba[4 * i + 2] = color[2];
    rgba[4 * i + 3] = ALPHA;
  }
  return rgba;
}
