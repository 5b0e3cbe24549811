// Ports (watched ones highlighted, with their entry radius) and watched zones.
import {ScatterplotLayer, TextLayer, GeoJsonLayer} from '@deck.gl/layers';
import {LABEL_STYLE, WATCHED_PORT, OTHER_PORT} from '../colors.js';

const LABEL_W = 90; // px a label is given before the next one may be shown
const LABEL_H = 16;

/** Web Mercator pixels at zoom z. */
function pixel(lon, lat, z) {
  const scale = 256 * 2 ** z;
  const s = Math.sin((lat * Math.PI) / 180);
  return [((lon + 180) / 360) * scale, (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * scale];
}

let memo = {ports: null, z: null, out: []};
/** The watched ports whose labels do not overlap at this zoom (first listed wins). */
function labelled(watched, zoom) {
  const z = Math.round(zoom * 2) / 2;
  if (memo.ports === watched && memo.z === z) return memo.out;
  const kept = [];
  for (const p of watched) {
    const [x, y] = pixel(p.lon, p.lat, z);
    if (kept.every((k) => Math.abs(k.x - x) > LABEL_W || Math.abs(k.y - y) > LABEL_H)) kept.push({p, x, y});
  }
  memo = {ports: watched, z, out: kept.map((k) => k.p)};
  return memo.out;
}

let watchedMemo = {ports: null, out: []};
const watchedOf = (ports) => {
  if (watchedMemo.ports !== ports) watchedMemo = {ports, out: ports.filter((p) => p.watched)};
  return watchedMemo.out;
};

export function placeLayers(ctx) {
  if (ctx.hidden.has('ports')) return [];
  const watched = watchedOf(ctx.ports);
  const labels = labelled(watched, ctx.zoom);
  return [
    new GeoJsonLayer({
      id: 'zones',
      data: ctx.zones,
      stroked: true,
      filled: true,
      getFillColor: [180, 20, 40, 25],
      getLineColor: [180, 20, 40, 160],
      lineWidthUnits: 'pixels',
      getLineWidth: 1.5,
      pointRadiusUnits: 'pixels',
      getPointRadius: 4,
      pickable: true,
    }),
    new ScatterplotLayer({
      id: 'port-radius',
      data: watched,
      getPosition: (p) => [p.lon, p.lat],
      getRadius: (p) => p.entry_radius_m || 3000,
      radiusUnits: 'meters',
      filled: true,
      stroked: true,
      getFillColor: [...WATCHED_PORT, 30],
      getLineColor: [...WATCHED_PORT, 200],
      lineWidthUnits: 'pixels',
      getLineWidth: 1.5,
    }),
    new ScatterplotLayer({
      id: 'ports',
      data: ctx.ports,
      getPosition: (p) => [p.lon, p.lat],
      getRadius: (p) => (p.watched ? 4.5 : 2.5),
      radiusUnits: 'pixels',
      getFillColor: (p) => [...(p.watched ? WATCHED_PORT : OTHER_PORT), 255],
      getLineColor: [255, 255, 255, 255],
      stroked: true,
      lineWidthUnits: 'pixels',
      getLineWidth: 1,
      pickable: true,
    }),
    // no TextLayer without text: an empty font atlas upsets WebGL
    labels.length > 0 && new TextLayer({
      id: 'port-labels',
      data: labels,
      getPosition: (p) => [p.lon, p.lat],
      getText: (p) => p.name,
      getSize: 12,
      getColor: [120, 10, 25, 255],
      getTextAnchor: 'start',
      getAlignmentBaseline: 'center',
      getPixelOffset: [8, 0],
      ...LABEL_STYLE,
      getBackgroundColor: [255, 255, 255, 190],
    }),
  ].filter(Boolean);
}
