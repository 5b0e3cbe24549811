// The map: MapLibre for the base map, deck.gl (MapboxOverlay, interleaved) for the data.
import maplibregl from 'maplibre-gl';
import {MapboxOverlay} from '@deck.gl/mapbox';
import {baseStyle} from './basemap.js';

const WORLD = [[-170, -60], [170, 75]];

export class MapView {
  /** el: the container; bbox: [minlon, minlat, maxlon, maxlat] or null. */
  constructor(el, bbox, {onClick, getTooltip, onZoom, onMoveEnd}) {
    this.renderWaiters = [];
    this.map = new maplibregl.Map({
      container: el,
      style: baseStyle(),
      bounds: bbox ? [[bbox[0], bbox[1]], [bbox[2], bbox[3]]] : WORLD,
      fitBoundsOptions: {padding: {top: 30, bottom: 30, left: 250, right: 60}, maxZoom: 9},
      dragRotate: false,
      pitchWithRotate: false,
      touchPitch: false,
      maxPitch: 0,
      attributionControl: {compact: true},
      renderWorldCopies: false,
    });
    this.map.addControl(new maplibregl.NavigationControl({showCompass: false}), 'top-right');
    this.map.addControl(new maplibregl.ScaleControl({unit: 'nautical'}), 'bottom-right');
    this.overlay = new MapboxOverlay({
      interleaved: true,
      layers: [],
      pickingRadius: 4,
      getTooltip,
      onClick,
      onAfterRender: () => this.afterRender(),
    });
    this.map.addControl(this.overlay);
    this.loaded = new Promise((resolve) => this.map.on('load', resolve));
    let lastZoom = this.map.getZoom();
    this.map.on('zoomend', () => {
      const z = this.map.getZoom();
      if (z !== lastZoom) onZoom(z, lastZoom);
      lastZoom = z;
    });
    if (onMoveEnd) this.map.on('moveend', () => onMoveEnd());
  }

  setLayers(layers) {
    this.overlay.setProps({layers});
  }

  getCanvas() {
    return this.map.getCanvas();
  }

  /** {zoom, west, south, east, north, width, height}: what the view shows, in degrees, and
   * its size in CSS pixels (the map neither rotates nor tilts, so the bounds are exact). */
  view() {
    const b = this.map.getBounds();
    const box = this.map.getContainer();
    return {zoom: this.map.getZoom(), west: b.getWest(), south: b.getSouth(), east: b.getEast(),
      north: b.getNorth(), width: box.clientWidth, height: box.clientHeight};
  }

  /** {longitude, latitude, zoom} now. */
  viewState() {
    const c = this.map.getCenter();
    return {longitude: c.lng, latitude: c.lat, zoom: this.map.getZoom()};
  }

  /** Zoom to [minlon, minlat, maxlon, maxlat]; a point gets a sensible zoom. */
  fit(bbox, maxZoom = 10) {
    if (!bbox) return;
    const [a, b, c, d] = bbox;
    const box = this.map.getContainer();
    const pad = Math.min(60, Math.floor(Math.min(box.clientWidth, box.clientHeight) / 8));
    // keep clear of the legend when it is open
    const legend = document.querySelector('details.legend[open]');
    const left = legend && box.clientWidth > 700 ? legend.offsetWidth + 20 : pad;
    this.map.fitBounds([[a, b], [c, d]], {padding: {top: pad, bottom: pad, left, right: pad}, maxZoom, duration: 600});
  }

  /** Resolves after the first frame that draws the layers `ids` (and their sublayers). */
  nextRender(ids = []) {
    return new Promise((resolve) => {
      this.renderWaiters.push({ids, resolve});
      this.map.triggerRepaint();
    });
  }

  /** Whether every model of those layers could draw: loaded, and its shaders linked (they
   * link asynchronously where the browser can, and a layer skips frames until then). */
  drawable(ids) {
    const deck = this.overlay._deck; // MapboxOverlay keeps its Deck here
    const all = (deck && deck.layerManager && deck.layerManager.getLayers()) || [];
    const mine = all.filter((l) => !l.isComposite && ids.some((id) => l.id === id || l.id.startsWith(`${id}-`)));
    if (mine.length < ids.length) return false;
    return mine.every((l) => l.isLoaded && l.getModels().every((m) => m.pipeline && m.pipeline.linkStatus === 'success'));
  }

  afterRender() {
    // a frame counts once deck.gl's layers are on the map (MapboxOverlay's layer group)
    if (!this.renderWaiters.length || !this.map.getLayer('deck-layer-group-last')) return;
    const waiting = [];
    for (const w of this.renderWaiters) {
      if (!this.drawable(w.ids)) {
        waiting.push(w);
        continue;
      }
      this.finish();
      w.resolve();
    }
    this.renderWaiters = waiting;
    // nothing else asks for a frame when a link completes: ask again
    if (waiting.length) setTimeout(() => this.map.triggerRepaint(), 20);
  }

  /** Waits until the GPU has done the frame's work (a one-pixel read does): "drawn" then
   * means on screen, not just handed to the GPU. */
  finish() {
    const gl = this.map.getCanvas().getContext('webgl2');
    if (gl) gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
  }

  resize() {
    this.map.resize();
  }
}
