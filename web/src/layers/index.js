// All the map's layers from the state, bottom to top. Data objects are kept between
// calls so deck.gl uploads the big attributes once.
import {positionLayers, selectedTracks} from './positions.js';
import {eventLayers} from './events.js';
import {placeLayers} from './places.js';
import {replayLayers} from '../replay.js';

let selectedMemo = {P: null, key: '', parts: []};

function tracksOf(P, mmsis) {
  const key = mmsis.join(',');
  if (selectedMemo.P !== P || selectedMemo.key !== key) {
    selectedMemo = {P, key, parts: P ? selectedTracks(P, mmsis) : []};
  }
  return selectedMemo.parts;
}

/** view: the map's {zoom, west, south, east, north, width, height} (map.js). */
export function buildLayers(state, view) {
  const ctx = {
    zoom: view.zoom,
    view,
    range: state.range,
    hidden: state.hiddenLayers,
    hiddenTypes: state.hiddenTypes,
    events: state.events,
    ports: state.ports,
    zones: state.zones,
    selected: state.selected,
    highlight: state.highlight,
    dim: Boolean(state.replay),
    selectedTracks: tracksOf(state.positions, state.selected),
  };
  return [
    ...placeLayers(ctx),
    ...positionLayers(state.positions, ctx),
    ...eventLayers(ctx),
    ...replayLayers(state.replay),
  ];
}

/** Layer ids and how many items each draws (window.vw.layers(), for tests). */
export function describeLayers(layers) {
  return layers.map((l) => {
    const data = l.props.data;
    const length = typeof l.props.count === 'number' ? l.props.count // the density's
      : Array.isArray(data) ? data.length
        : data && typeof data.length === 'number' ? data.length
          : data && data.features ? data.features.length : null;
    const described = {id: l.id, length, visible: l.props.visible !== false};
    if (l.id === 'density') described.bounds = l.props.bounds;
    if (l.props.subsetBounds) described.bounds = l.props.subsetBounds;
    return described;
  });
}
