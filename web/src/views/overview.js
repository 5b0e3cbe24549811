// #/map: the store at a glance, the selection, and the vessels (riskiest first).
import {h, clear, table} from '../dom.js';
import {fmtTime, fmtNumber} from '../format.js';
import {state, set} from '../state.js';
import {section} from './common.js';
import {showVessel, replayVessel} from '../actions.js';

export function renderOverview(panel) {
  const info = state.info || {};
  const vessels = [...state.vessels.values()]
    .sort((a, b) => (b.risk_score ?? -1) - (a.risk_score ?? -1) || String(a.name).localeCompare(String(b.name)));
  const filter = h('input', {type: 'search', placeholder: 'filter vessels', 'data-testid': 'vessel-filter',
    oninput: () => fill()});
  const body = h('tbody');
  function fill() {
    const q = filter.value.trim().toLowerCase();
    clear(body, vessels.filter((v) => !q || `${v.mmsi} ${v.imo ?? ''} ${v.name ?? ''}`.toLowerCase().includes(q))
      .slice(0, 300).map((v) => h('tr', {'data-testid': 'vessel-row', class: 'clickable',
        onclick: () => { window.location.hash = `#/vessel/${v.mmsi}`; }},
      h('td', null, v.name || '–'), h('td', null, String(v.mmsi)), h('td', null, v.flag || '–'),
      h('td', null, v.risk_level || '–'), h('td', {class: 'num'}, fmtNumber(v.positions)))));
  }
  fill();
  const P = state.positions;
  clear(panel,
    h('h2', null, 'Overview'),
    h('dl', {class: 'facts', 'data-testid': 'overview-facts'},
      h('dt', null, 'positions'), h('dd', {'data-testid': 'overview-positions'},
        fmtNumber(P ? P.n : 0), P && P.meta.thinned === '1' ? ` (thinned from ${fmtNumber(Number(P.meta.rows_total))})` : ''),
      h('dt', null, 'vessels'), h('dd', null, fmtNumber(info.vessels)),
      h('dt', null, 'events'), h('dd', null, fmtNumber(info.events)),
      h('dt', null, 'cases'), h('dd', null, fmtNumber(info.cases)),
      h('dt', null, 'from'), h('dd', null, fmtTime(info.ts_min)),
      h('dt', null, 'to'), h('dd', null, fmtTime(info.ts_max))),
    state.selected.length ? section('Selected', 'selection',
      h('p', null, state.selected.map((m) => h('a', {href: `#/vessel/${m}`, class: 'chip'}, state.vessels.get(m)?.name || m))),
      h('div', {class: 'buttons'},
        h('button', {type: 'button', onclick: () => showVessel(state.selected[0])}, 'Zoom to'),
        h('button', {type: 'button', onclick: () => replayVessel(state.selected[0])}, 'Replay'),
        h('button', {type: 'button', onclick: () => set({selected: [], highlight: null})}, 'Clear selection'))) : null,
    section('Vessels', 'vessels', filter,
      table('vessels-table', ['name', 'MMSI', 'flag', 'risk', 'positions'], body)));
}
