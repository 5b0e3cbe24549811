// What the views ask of the map: focus a vessel, replay an event, a case or a vessel.
import {state, set} from './state.js';
import {setupReplay} from './replay.js';
import {bounds} from './positions.js';
import {toEpoch} from './format.js';
import {darkLeg} from './layers/events.js';
import {showBanner} from './banner.js';

let mapView = null;
export const useMap = (view) => { mapView = view; };

function union(a, b) {
  if (!a) return b;
  if (!b) return a;
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
}

/** The bounds of a vessel's loaded positions. */
export function vesselBounds(mmsi) {
  const P = state.positions;
  const run = P && P.runs.get(Number(mmsi));
  return run ? bounds(P.position, run[0], run[1]) : null;
}

export function selectVessels(mmsis) {
  const next = mmsis.map(Number);
  if (next.join(',') !== state.selected.join(',')) set({selected: next});
}

export function showVessel(mmsi) {
  selectVessels([mmsi]);
  mapView.fit(vesselBounds(mmsi), 9);
}

function eventBounds(e) {
  const leg = darkLeg(e);
  let b = Number.isFinite(e.lon) ? [e.lon, e.lat, e.lon, e.lat] : null;
  if (leg) b = union(b, [Math.min(leg[0][0], leg[1][0]), Math.min(leg[0][1], leg[1][1]),
    Math.max(leg[0][0], leg[1][0]), Math.max(leg[0][1], leg[1][1])]);
  return b;
}

async function replay(mmsis, start, end, extra) {
  try {
    const b = await setupReplay(mmsis, start, end);
    mapView.fit(union(b, extra), 10);
  } catch (err) {
    showBanner(`Could not load the replay: ${err.message}`, 'error');
  }
}

/** Zoom to an event and set up a replay of its vessel(s) over its span, padded. */
export async function replayEvent(e) {
  const mmsis = [e.mmsi, e.other_mmsi].filter((m) => m !== null && m !== undefined);
  selectVessels(mmsis);
  set({highlight: e.event_id});
  const t0 = toEpoch(e.start_ts);
  const t1 = toEpoch(e.end_ts) ?? t0;
  const pad = Math.max(3600, 0.25 * (t1 - t0));
  const b = eventBounds(e);
  mapView.fit(b, 10);
  await replay(mmsis, t0 - pad, t1 + pad, b);
}

/** Replay a case's leg: its vessel over departed..arrived, dark legs shown. */
export async function replayCase(c) {
  const others = (c.other_vessels || []).map((v) => (typeof v === 'object' ? v.mmsi : v))
    .filter((m) => Number.isFinite(Number(m)));
  const mmsis = [c.mmsi, ...others];
  selectVessels(mmsis);
  set({highlight: null});
  const t0 = toEpoch(c.departed_ts);
  const t1 = toEpoch(c.arrived_ts);
  let extra = null;
  for (const e of state.events) {
    if (mmsis.includes(e.mmsi) && darkLeg(e) && e._t1 >= t0 && e._t0 <= t1) extra = union(extra, eventBounds(e));
  }
  await replay(mmsis, t0 - 1800, t1 + 1800, extra);
}

/** Replay a vessel over the brushed range, or over all its positions. */
export async function replayVessel(mmsi) {
  const P = state.positions;
  const run = P && P.runs.get(Number(mmsi));
  if (!run) return;
  selectVessels([mmsi]);
  let start = P.t[run[0]];
  let end = P.t[run[1] - 1] + 1;
  if (state.range) {
    start = Math.max(start, state.range[0]);
    end = Math.min(end, state.range[1]);
  }
  if (end > start) await replay([Number(mmsi)], start, end, null);
}
