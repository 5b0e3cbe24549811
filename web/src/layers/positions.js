// Positions and tracks from the typed arrays: density when zoomed out, points and track
// lines when zoomed in, the selected vessels' tracks on top. Time brushing is done on the
// GPU (DataFilterExtension on seconds since the data's start).
import {ScatterplotLayer, PathLayer} from '@deck.gl/layers';
import {ScreenGridLayer} from '@deck.gl/aggregation-layers';
import {DataFilterExtension} from '@deck.gl/extensions';
import {speedColors} from '../colors.js';
import {vesselRuns, segmentStarts, relativeTimes} from '../positions.js';

export const DENSITY_BELOW_ZOOM = 4;
// with more positions than this, every track is drawn only from this zoom on (the
// selected vessels' tracks always are): millions of path vertices cost a GPU little but a
// software renderer seconds a frame
export const MANY_POSITIONS = 2_000_000;
export const TRACKS_FROM_ZOOM = 7;
const timeFilter = new DataFilterExtension({filterSize: 1});
const DENSITY_COLORS = [
  [199, 233, 180], [127, 205, 187], [65, 182, 196], [29, 145, 192], [34, 94, 168], [12, 44, 132],
];

/** Everything the layers need from the decoded positions, built once per load. */
export function preparePositions(P) {
  const origin = Number(P.meta.t_min) || (P.n ? P.t.reduce((a, b) => Math.min(a, b)) : 0);
  const rel = relativeTimes(P.t, origin);
  const colors = speedColors(P.sog);
  const starts = segmentStarts(P.mmsi, P.t);
  const runs = vesselRuns(P.mmsi);
  return {
    ...P,
    origin,
    rel,
    colors,
    runs,
    segmentStarts: starts,
    points: {
      length: P.n,
      attributes: {
        getPosition: {value: P.position, size: 2},
        getFillColor: {value: colors, size: 4, normalized: true},
        getFilterValue: {value: rel, size: 1},
      },
    },
    tracks: {
      length: starts.length,
      startIndices: starts,
      attributes: {
        getPath: {value: P.position, size: 2},
        getFilterValue: {value: rel, size: 1},
      },
    },
  };
}

/** The part of the tracks that belongs to the given vessels (views into the same arrays). */
export function selectedTracks(P, mmsis) {
  const parts = [];
  for (const m of mmsis) {
    const run = P.runs.get(m);
    if (!run) continue;
    const [s, e] = run;
    parts.push({
      mmsi: m,
      length: 0,
      startIndices: segmentStarts(P.mmsi, P.t, undefined, s, e),
      attributes: {
        getPath: {value: P.position.subarray(2 * s, 2 * e), size: 2},
        getFilterValue: {value: P.rel.subarray(s, e), size: 1},
      },
    });
    parts[parts.length - 1].length = parts[parts.length - 1].startIndices.length;
  }
  return parts;
}

export function positionLayers(P, ctx) {
  if (!P || P.n === 0) return [];
  const filterRange = ctx.range
    ? [ctx.range[0] - P.origin, ctx.range[1] - P.origin - 0.001]
    : [-1e9, 1e9];
  const dense = ctx.zoom < DENSITY_BELOW_ZOOM;
  const layers = [];
  if (dense && !ctx.hidden.has('positions')) {
    layers.push(new ScreenGridLayer({
      id: 'density',
      data: P.points,
      cellSizePixels: 12,
      colorRange: DENSITY_COLORS,
      opacity: 0.75,
      pickable: false,
      extensions: [timeFilter],
      filterRange,
    }));
  }
  const tracksHere = P.n <= MANY_POSITIONS || ctx.zoom >= TRACKS_FROM_ZOOM;
  if (!dense && tracksHere && !ctx.hidden.has('tracks')) {
    layers.push(new PathLayer({
      id: 'tracks',
      data: P.tracks,
      opacity: ctx.dim ? 0.35 : 1,
      _pathType: 'open',
      positionFormat: 'XY',
      getColor: [70, 90, 120, 110],
      getWidth: 1,
      widthUnits: 'pixels',
      pickable: true,
      autoHighlight: true,
      highlightColor: [255, 140, 0, 220],
      extensions: [timeFilter],
      filterRange,
    }));
  }
  // while a replay runs, the other vessels' points (whose overlaps add up to solid colour
  // even when faded) give way: their faded tracks stay as context
  if (!dense && !ctx.dim && !ctx.hidden.has('positions')) {
    layers.push(new ScatterplotLayer({
      id: 'positions',
      data: P.points,
      radiusUnits: 'pixels',
      getRadius: 2.2,
      radiusMinPixels: 1.5,
      stroked: false,
      pickable: true,
      extensions: [timeFilter],
      filterRange,
    }));
  }
  for (const part of ctx.selectedTracks) {
    layers.push(new PathLayer({
      id: `selected-track-${part.mmsi}`,
      data: part,
      _pathType: 'open',
      positionFormat: 'XY',
      getColor: [255, 120, 0, 230],
      getWidth: 2.5,
      widthUnits: 'pixels',
      pickable: true,
      extensions: [timeFilter],
      filterRange,
    }));
  }
  return layers;
}
