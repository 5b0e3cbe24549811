// Replay: one clock over one or more vessels (an encounter plays both ships), a TripsLayer
// of their tracks with timestamps relative to the replay's start (float32 stays exact),
// and a moving marker per vessel (hollow while its AIS is dark).
import {TripsLayer} from '@deck.gl/geo-layers';
import {ScatterplotLayer, TextLayer} from '@deck.gl/layers';
import {api} from './api.js';
import {LABEL_STYLE, REPLAY_COLORS} from './colors.js';
import {isoZ} from './format.js';
import {
  decodePositions, vesselRuns, segmentStarts, relativeTimes, lowerBound, bounds, SPLIT_S,
} from './positions.js';
import {state, set, vesselName} from './state.js';

export const SPEEDS = [
  {label: '1 min/s', s: 60}, {label: '10 min/s', s: 600}, {label: '1 h/s', s: 3600},
  {label: '6 h/s', s: 21600}, {label: '1 day/s', s: 86400},
];
export const TRAILS = [
  {label: '30 min', s: 1800}, {label: '2 h', s: 7200}, {label: '6 h', s: 21600},
  {label: '1 day', s: 86400}, {label: 'all', s: 1e7},
];
const DEFAULT_SPEED = 3600;
const DEFAULT_TRAIL = 21600;

let frame = null;
let last = 0;

/** Loads the vessels' positions over [start, end) and sets the replay up (paused at the
 * start). Returns the bounds of what it loaded. */
export async function setupReplay(mmsis, start, end, {play = false} = {}) {
  const ids = [...new Set(mmsis.map(Number))];
  const buffer = await api.positions({mmsi: ids, start: isoZ(start), end: isoZ(end)});
  const P = decodePositions(buffer);
  const runs = vesselRuns(P.mmsi);
  const colors = new Uint8Array(P.n * 4);
  const vessels = ids.filter((m) => runs.has(m)).map((m, i) => {
    const [from, to] = runs.get(m);
    const rgb = REPLAY_COLORS[i % REPLAY_COLORS.length];
    for (let j = from; j < to; j++) colors.set([rgb[0], rgb[1], rgb[2], 255], 4 * j);
    return {mmsi: m, name: vesselName(m), from, to, rgb};
  });
  const origin = start;
  const trips = {
    length: 0,
    startIndices: segmentStarts(P.mmsi, P.t),
    attributes: {
      getPath: {value: P.position, size: 2},
      getTimestamps: {value: relativeTimes(P.t, origin), size: 1},
      getColor: {value: colors, size: 4, normalized: true},
    },
  };
  trips.length = trips.startIndices.length;
  stop();
  const previous = state.replay || {};
  set({
    replay: {
      mmsis: ids, start, end, origin, time: start, playing: false, P, trips, vessels,
      speed: previous.speed || DEFAULT_SPEED, trail: previous.trail || DEFAULT_TRAIL,
    },
  });
  if (play) playReplay();
  return bounds(P.position, 0, P.n);
}

function update(patch) {
  if (state.replay) set({replay: {...state.replay, ...patch}});
}

export function playReplay() {
  const r = state.replay;
  if (!r) return;
  if (r.time >= r.end) update({time: r.start});
  update({playing: true});
  last = performance.now();
  if (frame === null) frame = requestAnimationFrame(tick);
}

function tick(now) {
  frame = null;
  const r = state.replay;
  if (!r || !r.playing) return;
  const dt = Math.max(0, Math.min(1, (now - last) / 1000));
  last = now;
  const time = Math.min(r.end, r.time + dt * r.speed);
  update({time, playing: time < r.end});
  if (time < r.end) frame = requestAnimationFrame(tick);
}

function stop() {
  if (frame !== null) cancelAnimationFrame(frame);
  frame = null;
}

export function pauseReplay() {
  stop();
  update({playing: false});
}

export function toggleReplay() {
  if (state.replay && state.replay.playing) pauseReplay(); else playReplay();
}

export function seekReplay(time) {
  const r = state.replay;
  if (r) update({time: Math.max(r.start, Math.min(r.end, time))});
}

export const setReplaySpeed = (speed) => update({speed});
export const setReplayTrail = (trail) => update({trail});

export function closeReplay() {
  stop();
  set({replay: null});
}

/** Where each replayed vessel is at the replay's time: interpolated between reports, or at
 * its last report (dark) when the reports are further apart than a track split. */
export function replayMarkers(r) {
  const out = [];
  const {P} = r;
  for (const v of r.vessels) {
    const i = lowerBound(P.t, r.time, v.from, v.to);
    if (i === v.from && P.t[i] > r.time) continue; // not seen yet
    const a = Math.max(v.from, i - 1);
    const b = Math.min(v.to - 1, i);
    const span = P.t[b] - P.t[a];
    let lon = P.position[2 * a]; let lat = P.position[2 * a + 1];
    const dark = span > SPLIT_S || i >= v.to;
    if (!dark && span > 0) {
      const f = (r.time - P.t[a]) / span;
      lon += f * (P.position[2 * b] - lon);
      lat += f * (P.position[2 * b + 1] - lat);
    } else if (!dark && i < v.to) {
      lon = P.position[2 * b]; lat = P.position[2 * b + 1];
    }
    out.push({mmsi: v.mmsi, name: v.name, rgb: v.rgb, position: [lon, lat], dark, row: out.length});
  }
  return out;
}

export function replayLayers(r) {
  if (!r) return [];
  const markers = replayMarkers(r);
  return [
    new TripsLayer({
      id: 'replay-trips',
      data: r.trips,
      _pathType: 'open',
      positionFormat: 'XY',
      currentTime: r.time - r.origin,
      trailLength: r.trail,
      fadeTrail: r.trail < 1e6,
      widthUnits: 'pixels',
      getWidth: 4,
      capRounded: true,
      jointRounded: true,
    }),
    new ScatterplotLayer({
      id: 'replay-markers',
      data: markers,
      getPosition: (d) => d.position,
      getFillColor: (d) => (d.dark ? [255, 255, 255, 230] : [...d.rgb, 255]),
      getLineColor: (d) => [...d.rgb, 255],
      getRadius: 7,
      radiusUnits: 'pixels',
      stroked: true,
      lineWidthUnits: 'pixels',
      getLineWidth: (d) => (d.dark ? 3 : 2),
      updateTriggers: {getFillColor: r.time, getLineWidth: r.time},
    }),
    markers.length > 0 && new TextLayer({ // none without text: an empty font atlas upsets WebGL
      id: 'replay-labels',
      data: markers,
      getPosition: (d) => d.position,
      getText: (d) => (d.dark ? `${d.name} (AIS dark)` : d.name),
      getSize: 13,
      getColor: [20, 20, 30, 255],
      getPixelOffset: (d) => [10, -10 - 18 * d.row], // vessels side by side (an encounter) stack
      getTextAnchor: 'start',
      getAlignmentBaseline: 'bottom',
      ...LABEL_STYLE,
      getBackgroundColor: [255, 255, 255, 210],
      updateTriggers: {getText: r.time},
    }),
  ].filter(Boolean);
}
