// Positions and tracks from the typed arrays: a density image when zoomed out or when the
// view holds very many positions, points and track lines otherwise, the selected vessels'
// tracks on top. Time brushing of points and tracks is done on the GPU
// (DataFilterExtension on seconds since the data's start); the density is binned for it.
import {BitmapLayer, ScatterplotLayer, PathLayer} from '@deck.gl/layers';
import {DataFilterExtension} from '@deck.gl/extensions';
import {speedColors} from '../colors.js';
import {vesselRuns, segmentStarts, relativeTimes} from '../positions.js';
import {binPositions, densityPixels, mercatorPositions, rowsNear} from '../density.js';

export const DENSITY_BELOW_ZOOM = 4;
// with more positions than this in the view, the density image stands for them: a
// software renderer takes seconds a frame for a million points, and a million overlapping
// dots say less than their density
export const DENSITY_ABOVE_POSITIONS = 500_000;
// a renderer without a GPU (WebGL in software: SwiftShader, llvmpipe) draws about a million
// points a second, so there the density stands for the points sooner
export const DENSITY_ABOVE_POSITIONS_SOFTWARE = 50_000;
export const densitySwitch = {above: DENSITY_ABOVE_POSITIONS}; // window.vw.setDensityAbove
// with more positions than this, every track is drawn only from this zoom on (the
// selected vessels' tracks always are): millions of path vertices cost a GPU little but a
// software renderer seconds a frame
export const MANY_POSITIONS = 2_000_000;
export const TRACKS_FROM_ZOOM = 7;
// with more positions loaded than this, points and tracks are drawn from the rows around the
// view only (chosen again whenever the view stops moving): a GPU runs its vertex shader for
// every point handed to it, in view or not, and a software renderer feels each one
export const SUBSET_ABOVE = 200_000;
export const subsetSwitch = {above: SUBSET_ABOVE}; // window.vw.setSubsetAbove
const timeFilter = new DataFilterExtension({filterSize: 1});

/** The switch for this renderer: whether `gl` (the map's context) draws in software. */
export function densityAboveFor(gl) {
  return softwareRenderer(gl) ? DENSITY_ABOVE_POSITIONS_SOFTWARE : DENSITY_ABOVE_POSITIONS;
}

function softwareRenderer(gl) {
  if (!gl) return false;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = `${gl.getParameter(gl.RENDERER)} ${info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : ''}`;
  return /swiftshader|llvmpipe|softpipe|software/i.test(name);
}

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
    merc: mercatorPositions(P.position, P.n),
    segmentStartFlags: startFlags(starts, P.n),
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

function startFlags(starts, n) {
  const flags = new Uint8Array(n);
  for (const i of starts) flags[i] = 1;
  return flags;
}

let subset = {density: null, value: null};

/** Points and tracks of the rows around the view (`density.box`, the binned image's):
 * their own small attribute arrays, and `rows`/`segmentRows`, the row of each point and of
 * each track part's first point, for picking. */
export function subsetFor(P, density) {
  if (subset.density === density) return subset.value;
  const rows = rowsNear(P.merc, P.mmsi, P.n, density.box);
  const k = rows.length;
  const position = new Float32Array(2 * k);
  const colors = new Uint8Array(4 * k);
  const rel = new Float32Array(k);
  const starts = [];
  for (let j = 0; j < k; j++) {
    const i = rows[j];
    position[2 * j] = P.position[2 * i];
    position[2 * j + 1] = P.position[2 * i + 1];
    for (let c = 0; c < 4; c++) colors[4 * j + c] = P.colors[4 * i + c];
    rel[j] = P.rel[i];
    if (j === 0 || rows[j - 1] !== i - 1 || P.segmentStartFlags[i]) starts.push(j);
  }
  const startIndices = Uint32Array.from(starts);
  const value = {
    rows,
    segmentRows: startIndices.map((j) => rows[j]),
    points: {
      length: k,
      attributes: {
        getPosition: {value: position, size: 2},
        getFillColor: {value: colors, size: 4, normalized: true},
        getFilterValue: {value: rel, size: 1},
      },
    },
    tracks: {
      length: startIndices.length,
      startIndices,
      attributes: {
        getPath: {value: position, size: 2},
        getFilterValue: {value: rel, size: 1},
      },
    },
  };
  subset = {density, value};
  return value;
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

let binned = {key: '', P: null, value: null};

/** The density of the positions in the view (binned once per load, view and time range). */
export function densityFor(P, view, filterRange) {
  const key = view ? [view.west, view.south, view.east, view.north, view.width, view.height,
    ...filterRange].join(',') : '';
  if (binned.P !== P || binned.key !== key) {
    const value = view ? binPositions(P.merc, P.rel, P.n, view, filterRange) : null;
    binned = {key, P, value};
  }
  return binned.value;
}

export function positionLayers(P, ctx) {
  if (!P || P.n === 0) return [];
  const filterRange = ctx.range
    ? [ctx.range[0] - P.origin, ctx.range[1] - P.origin - 0.001]
    : [-1e9, 1e9];
  const density = densityFor(P, ctx.view, filterRange);
  const inView = density ? density.inView : P.n;
  const dense = ctx.zoom < DENSITY_BELOW_ZOOM || inView > densitySwitch.above;
  const layers = [];
  if (dense && density && !ctx.hidden.has('positions')) {
    if (!density.image) {
      density.image = new ImageData(densityPixels(density), density.cols, density.rows);
    }
    layers.push(new BitmapLayer({
      id: 'density',
      image: density.image,
      bounds: density.bounds,
      opacity: 0.85,
      pickable: false,
      textureParameters: {magFilter: 'nearest', minFilter: 'linear', mipmapFilter: 'nearest'},
      count: density.inImage, // positions binned into the image (window.vw.layers())
    }));
  }
  const sub = !dense && density && P.n > subsetSwitch.above ? subsetFor(P, density) : null;
  const tracksHere = P.n <= MANY_POSITIONS || ctx.zoom >= TRACKS_FROM_ZOOM;
  if (!dense && tracksHere && !ctx.hidden.has('tracks')) {
    layers.push(new PathLayer({
      id: 'tracks',
      data: sub ? sub.tracks : P.tracks,
      rows: sub ? sub.segmentRows : null, // a part's first row, for picking (tooltip.js)
      subsetBounds: sub ? density.bounds : null, // the rows drawn: around these (vw.layers())
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
      data: sub ? sub.points : P.points,
      rows: sub ? sub.rows : null, // each point's row, for picking (tooltip.js)
      subsetBounds: sub ? density.bounds : null,
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
