// The map's legend, which is also where layers and event types are switched on and off.
import {h, clear} from './dom.js';
import {SPEED_CLASSES, SPEED_UNKNOWN, DARK_LEG, WATCHED_PORT, OTHER_PORT, eventColor, css} from './colors.js';
import {fmtNumber, typeLabel} from './format.js';
import {state, set, on} from './state.js';
import {DENSITY_BELOW_ZOOM, densitySwitch} from './layers/positions.js';

function toggle(setKey, key, label, swatch, testid) {
  const input = h('input', {type: 'checkbox', 'data-testid': testid,
    checked: !state[setKey].has(key),
    onchange: (e) => {
      const next = new Set(state[setKey]);
      if (e.target.checked) next.delete(key); else next.add(key);
      set({[setKey]: next});
    }});
  return h('label', {class: 'legend-row'}, input, swatch, h('span', null, label));
}

const dot = (rgb) => h('i', {class: 'swatch dot', style: {background: css(rgb)}});
const line = (rgb, dashed = false) => h('i', {class: `swatch line${dashed ? ' dashed' : ''}`,
  style: {borderColor: css(rgb)}});

export function renderLegend(el, eventCounts) {
  const types = Object.keys(eventCounts).sort();
  clear(el, h('details', {open: true, class: 'legend'},
    h('summary', null, 'Legend & layers'),
    h('div', {class: 'legend-section'},
      h('b', null, 'Positions by speed'),
      h('div', {class: 'speed-scale', 'data-testid': 'legend-speed'},
        [...SPEED_CLASSES, SPEED_UNKNOWN].map((c) => h('span', {class: 'legend-row'}, dot(c.rgb), c.label))),
      h('small', null, `below zoom ${DENSITY_BELOW_ZOOM}, or with more than ${fmtNumber(densitySwitch.above)} positions in view: density grid`)),
    h('div', {class: 'legend-section'},
      h('b', null, 'Layers'),
      toggle('hiddenLayers', 'positions', 'positions / density', dot([43, 131, 186]), 'legend-layer-positions'),
      toggle('hiddenLayers', 'tracks', 'tracks', line([70, 90, 120]), 'legend-layer-tracks'),
      toggle('hiddenTypes', 'dark_legs', 'dark legs (AIS off → on)', line(DARK_LEG, true), 'legend-layer-dark-legs'),
      toggle('hiddenLayers', 'ports', 'ports, watch zones', h('span', null, dot(WATCHED_PORT), dot(OTHER_PORT)),
        'legend-layer-ports'),
      h('small', null, 'watched ports in red, with their entry radius')),
    h('div', {class: 'legend-section', 'data-testid': 'legend-events'},
      h('b', null, 'Events'),
      types.length ? types.map((t) => toggle('hiddenTypes', t, `${typeLabel(t)} (${eventCounts[t]})`,
        dot(eventColor(t)), `legend-event-${t}`)) : h('small', null, 'no events'))));
}

export function mountLegend(el) {
  const counts = () => {
    const out = {};
    for (const e of state.events) out[e.event_type] = (out[e.event_type] || 0) + 1;
    return out;
  };
  on('events', () => renderLegend(el, counts()));
  renderLegend(el, counts());
}
