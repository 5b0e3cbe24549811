// The one state of the page (filters, time range, selection, replay) and who listens to it.

export const state = {
  info: null, // /api/info
  vessels: new Map(), // mmsi -> /api/vessels item
  positions: null, // decoded positions + what the map derives from them
  events: [], // every event for the map (dark legs, markers)
  ports: [],
  zones: {type: 'FeatureCollection', features: []},
  range: null, // [t0, t1) epoch seconds, from the timeline brush; null = everything
  hiddenTypes: new Set(), // event types switched off on the map
  hiddenLayers: new Set(), // 'positions' | 'tracks' | 'darkLegs' | 'ports' | 'density'
  selected: [], // selected vessels (mmsi)
  highlight: null, // one event to outline on the map
  replay: null, // {mmsis, start, end, time, playing, speed, trail, ...} (replay.js)
  view: {name: 'map', arg: null},
};

const listeners = new Map();

/** Calls fn(state, changedKeys) whenever one of `keys` is set; returns the way to stop. */
export function on(keys, fn) {
  for (const key of [].concat(keys)) {
    if (!listeners.has(key)) listeners.set(key, new Set());
    listeners.get(key).add(fn);
  }
  return () => {
    for (const key of [].concat(keys)) listeners.get(key).delete(fn);
  };
}

export function set(patch) {
  Object.assign(state, patch);
  const keys = Object.keys(patch);
  const called = new Set();
  for (const key of keys) {
    for (const fn of listeners.get(key) || []) {
      if (called.has(fn)) continue;
      called.add(fn);
      fn(state, keys);
    }
  }
}

export const vesselName = (mmsi) => {
  const v = state.vessels.get(Number(mmsi));
  return (v && v.name) || String(mmsi);
};
