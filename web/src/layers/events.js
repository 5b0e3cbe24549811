// Events on the map: a marker per event (coloured by type) and the dark legs (gap and
// dark_voyage events, from where AIS went off to where it came back), dashed.
import {ScatterplotLayer, PathLayer} from '@deck.gl/layers';
import {PathStyleExtension} from '@deck.gl/extensions';
import {eventColor, DARK_LEG} from '../colors.js';
import {toEpoch} from '../format.js';

export const DARK_TYPES = ['gap', 'dark_voyage'];
const dashed = new PathStyleExtension({dash: true});

/** Epoch start/end on each event, once (the API gives ISO text). */
export function prepareEvents(items) {
  for (const e of items) {
    e._t0 = toEpoch(e.start_ts);
    e._t1 = toEpoch(e.end_ts) ?? e._t0;
  }
  return items;
}

export function darkLeg(e) {
  const d = e.details || {};
  if (![d.off_lon, d.off_lat, d.on_lon, d.on_lat].every(Number.isFinite)) return null;
  return [[d.off_lon, d.off_lat], [d.on_lon, d.on_lat]];
}

const overlaps = (e, range) => !range || (e._t1 >= range[0] && e._t0 < range[1]);

let memo = {};
/** The events the map shows now: type switched on, overlapping the brushed range. */
export function visibleEvents(events, hiddenTypes, range) {
  if (memo.events === events && memo.hidden === hiddenTypes && memo.range === range) return memo.out;
  const markers = [];
  const legs = [];
  for (const e of events) {
    if (!overlaps(e, range)) continue;
    if (DARK_TYPES.includes(e.event_type)) {
      const path = darkLeg(e);
      if (path && !hiddenTypes.has('dark_legs')) legs.push({event: e, path});
    }
    if (!hiddenTypes.has(e.event_type) && Number.isFinite(e.lon) && Number.isFinite(e.lat)) {
      markers.push(e);
    }
  }
  memo = {events, hidden: hiddenTypes, range, out: {markers, legs}};
  return memo.out;
}

export function eventLayers(ctx) {
  const {markers, legs} = visibleEvents(ctx.events, ctx.hiddenTypes, ctx.range);
  const focus = new Set(ctx.selected);
  return [
    new PathLayer({
      id: 'dark-legs',
      data: legs,
      getPath: (d) => d.path,
      getColor: (d) => (focus.size && !focus.has(d.event.mmsi) ? [...DARK_LEG, 90] : [...DARK_LEG, 230]),
      getWidth: (d) => (focus.has(d.event.mmsi) ? 3.5 : 2.5),
      widthUnits: 'pixels',
      getDashArray: [4, 3],
      dashJustified: true,
      extensions: [dashed],
      pickable: true,
      updateTriggers: {getColor: ctx.selected, getWidth: ctx.selected},
    }),
    new ScatterplotLayer({
      id: 'events',
      data: markers,
      getPosition: (e) => [e.lon, e.lat],
      getFillColor: (e) => [...eventColor(e.event_type), 230],
      getLineColor: [255, 255, 255, 255],
      getRadius: (e) => (e.event_id === ctx.highlight ? 9 : 5),
      radiusUnits: 'pixels',
      stroked: true,
      lineWidthUnits: 'pixels',
      getLineWidth: (e) => (e.event_id === ctx.highlight ? 3 : 1),
      pickable: true,
      updateTriggers: {getRadius: ctx.highlight, getLineWidth: ctx.highlight},
    }),
  ];
}
