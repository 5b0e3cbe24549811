// The base map, built in code: sea colour, bundled Natural Earth land. No tiles, glyphs or
// sprites, so nothing is requested outside the page's origin.
import {SEA, LAND, LAND_LINE} from './colors.js';

export function baseStyle() {
  // absolute, because MapLibre fetches it from its worker
  const land = new URL('static/land.geojson', window.location.href).href;
  return {
    version: 8,
    sources: {
      land: {type: 'geojson', data: land, attribution: 'Land: Natural Earth'},
    },
    layers: [
      {id: 'sea', type: 'background', paint: {'background-color': SEA}},
      {id: 'land', type: 'fill', source: 'land', paint: {'fill-color': LAND}},
      {id: 'coast', type: 'line', source: 'land', paint: {'line-color': LAND_LINE, 'line-width': 0.7}},
    ],
  };
}
