// The dashboard's entry: load the store's data, wire the map, timeline, legend and views.
import {state, set, on} from './state.js';
import {api} from './api.js';
import {MapView} from './map.js';
import {buildLayers, describeLayers} from './layers/index.js';
import {
  SUBSET_ABOVE, densityAboveFor, densitySwitch, preparePositions, subsetSwitch,
} from './layers/positions.js';
import {prepareEvents} from './layers/events.js';
import {decodePositions, emptyPositions} from './positions.js';
import {Timeline} from './timeline.js';
import {replayBar, replaySelection} from './replaybar.js';
import {mountLegend} from './legend.js';
import {startRouter} from './router.js';
import {showView} from './views/index.js';
import {getTooltip, pickedVessel} from './tooltip.js';
import {useMap} from './actions.js';
import {showBanner} from './banner.js';
import {status, markReady} from './status.js';
import {fmtNumber} from './format.js';

const EVENTS_PAGE = 50000;
const MAX_MAP_EVENTS = 500000;

async function loadAllEvents() {
  const items = [];
  for (let offset = 0; offset < MAX_MAP_EVENTS; offset += EVENTS_PAGE) {
    const page = await api.events({sort: 'start_ts', limit: EVENTS_PAGE, offset});
    items.push(...page.items);
    if (items.length >= page.total || page.items.length === 0) break;
  }
  return prepareEvents(items);
}

function timelineFromPositions(P, info) {
  const bins = 200;
  const t0 = Date.parse(info.ts_min) / 1000;
  const t1 = Date.parse(info.ts_max) / 1000 + 1;
  const binS = Math.max(1, Math.ceil((t1 - t0) / bins));
  const positions = new Array(bins).fill(0);
  for (let i = 0; i < P.n; i++) positions[Math.min(bins - 1, Math.floor((P.t[i] - t0) / binS))]++;
  const events = {};
  for (const e of state.events) {
    const b = Math.floor((e._t0 - t0) / binS);
    if (b < 0 || b >= bins) continue;
    (events[e.event_type] ||= new Array(bins).fill(0))[b]++;
  }
  return {start: info.ts_min, end: info.ts_max, bin_s: binS, positions, events};
}

async function boot() {
  const panel = document.getElementById('panel');
  window.vw = {status, state};
  // the positions are the big download: ask for them at once, beside everything else
  const positions = api.positions({}).then((buffer) => {
    performance.mark('vw-positions-loaded');
    const P = preparePositions(decodePositions(buffer));
    performance.mark('vw-positions-decoded');
    return P;
  });
  positions.catch(() => {}); // reported below, once the page is up
  let info;
  try {
    info = await api.info();
  } catch (err) {
    showBanner(`Cannot read the store: ${err.message}`, 'error');
    document.body.dataset.ready = 'error';
    return;
  }
  set({info});
  document.querySelector('[data-testid="store-info"]').textContent =
    `${fmtNumber(info.positions)} positions · ${fmtNumber(info.vessels)} vessels · ${fmtNumber(info.events)} events · ${fmtNumber(info.cases)} cases`;

  const map = new MapView(document.getElementById('map'), info.bbox, {
    getTooltip,
    onClick: (pick) => {
      const mmsi = pickedVessel(pick);
      if (mmsi !== null && mmsi !== undefined) window.location.hash = `#/vessel/${mmsi}`;
    },
    onZoom: () => redraw(), // density or points, which port labels fit
    onMoveEnd: () => redraw(), // the density image is binned for the new view
  });
  useMap(map);
  const densityAbove = densityAboveFor(map.getCanvas().getContext('webgl2'));
  densitySwitch.above = densityAbove;
  let layers = [];
  let pending = false;
  function drawNow() {
    pending = false;
    layers = buildLayers(state, map.view());
    map.setLayers(layers);
  }
  function redraw() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { if (pending) drawNow(); });
  }
  on(['positions', 'events', 'ports', 'zones', 'range', 'hiddenTypes', 'hiddenLayers', 'selected',
    'highlight', 'replay'], redraw);

  Object.assign(window.vw, {
    map: map.map,
    viewState: () => map.viewState(),
    layers: () => describeLayers(layers),
    replay: () => (state.replay ? {time: state.replay.time, playing: state.replay.playing,
      start: state.replay.start, end: state.replay.end, mmsis: state.replay.mmsis} : null),
    setRange: (t0, t1) => set({range: t0 === null ? null : [t0, t1]}),
    subsetAbove: () => subsetSwitch.above,
    setSubsetAbove: (n) => {
      subsetSwitch.above = n === null ? SUBSET_ABOVE : n;
      redraw();
    },
    densityAbove: () => densitySwitch.above,
    setDensityAbove: (n) => {
      densitySwitch.above = n === null ? densityAbove : n;
      redraw();
    },
  });

  const timeline = new Timeline(document.getElementById('timeline'), replayBar({onReplaySelection: replaySelection}));
  mountLegend(document.getElementById('legend'));
  startRouter((route) => {
    status.view = route.name;
    set({view: route});
    showView(panel, route);
  });
  document.querySelector('[data-testid="vessel-search-form"]').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const q = ev.target.querySelector('input').value.trim();
    if (!q) return;
    try {
      const page = await api.vessels({q, limit: 1});
      if (page.items.length) window.location.hash = `#/vessel/${page.items[0].mmsi}`;
      else showBanner(`No vessel matches "${q}" (MMSI, IMO or name).`);
    } catch (err) {
      showBanner(err.message, 'error');
    }
  });

  if (!info.positions) {
    showBanner('This store has no positions yet: ingest AIS into it (vesselwatch ingest FILE --store DIR), then reload.');
  } else if (!info.detected) {
    showBanner('No detection has run on this store yet: events and cases appear after `vesselwatch detect --store DIR` (and `vesselwatch screen` for sanctions hits).');
  }

  const side = Promise.all([
    api.vessels({limit: 100000}).then((page) => set({vessels: new Map(page.items.map((v) => [v.mmsi, v]))})),
    api.ports().then((page) => set({ports: page.items})),
    api.zones().then((fc) => set({zones: fc})),
    (info.detected ? loadAllEvents() : Promise.resolve([])).then((events) => set({events})),
  ].map((p) => p.catch((err) => showBanner(err.message, err.status === 409 ? 'info' : 'error'))));

  let P = null;
  try {
    P = await positions;
  } catch (err) {
    showBanner(`Cannot load the positions: ${err.message}`, 'error');
    P = preparePositions(emptyPositions());
  }
  // deck.gl draws as soon as the style is parsed; the land fills in when its tiles are cut
  map.loaded.then(() => performance.mark('vw-map-loaded'));
  set({positions: P});
  drawNow();
  await map.nextRender(layers.filter((l) => l.id === 'positions' || l.id === 'density').map((l) => l.id));
  markReady(P.n);

  await side;
  api.timeline({bins: 240}).then((data) => timeline.setData(data))
    .catch(() => timeline.setData(timelineFromPositions(P, info)));
  if (P.meta.thinned === '1') {
    showBanner(`Showing ${fmtNumber(P.n)} of ${fmtNumber(Number(P.meta.rows_total))} positions (thinned evenly per vessel); replays load every position.`);
  }
}

boot();
