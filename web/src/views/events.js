// #/events: the events table. Filters (type, vessel, min confidence, the timeline's brush)
// and sorting are the API's; a row click zooms there and sets up a replay of its vessels.
import {h, clear, table} from '../dom.js';
import {api} from '../api.js';
import {fmtTime, fmtDuration, fmtNumber, isoZ, typeLabel} from '../format.js';
import {state, on} from '../state.js';
import {eventColor, css} from '../colors.js';
import {sortHeader, errorBox} from './common.js';
import {replayEvent} from '../actions.js';
import {prepareEvents} from '../layers/events.js';

const PAGE = 500;
const filters = {type: '', vessel: '', minConfidence: '', sort: 'start_ts'};
let activeId = null;

/** MMSIs for the vessel filter: digits are an MMSI, text matches names. */
function vesselMmsis(text) {
  const q = text.trim().toLowerCase();
  if (!q) return null;
  if (/^\d{1,9}$/.test(q) && state.vessels.has(Number(q))) return [Number(q)];
  const hits = [...state.vessels.values()].filter((v) => (v.name || '').toLowerCase().includes(q)
    || String(v.mmsi) === q || String(v.imo ?? '') === q).map((v) => v.mmsi);
  return hits.length ? hits : [0];
}

export function renderEvents(panel) {
  const types = (state.info && state.info.event_types) || [];
  const typeSelect = h('select', {'data-testid': 'events-filter-type', onchange: (e) => { filters.type = e.target.value; load(); }},
    h('option', {value: ''}, 'all types'),
    types.map((t) => h('option', {value: t, selected: t === filters.type}, typeLabel(t))));
  const vesselInput = h('input', {type: 'search', placeholder: 'vessel name or MMSI', value: filters.vessel,
    'data-testid': 'events-filter-vessel', onchange: (e) => { filters.vessel = e.target.value; load(); }});
  const confSelect = h('select', {'data-testid': 'events-filter-confidence',
    onchange: (e) => { filters.minConfidence = e.target.value; load(); }},
  h('option', {value: ''}, 'any confidence'),
  [2, 3, 4].map((c) => h('option', {value: c, selected: String(c) === filters.minConfidence}, `confidence ≥ ${c}`)));
  const summary = h('p', {class: 'muted', 'data-testid': 'events-summary'});
  const body = h('div', {class: 'table-wrap'});
  clear(panel, h('h2', null, 'Events'),
    h('div', {class: 'filters'}, typeSelect, vesselInput, confSelect),
    summary, body);

  let seq = 0;
  async function load() {
    const mine = ++seq;
    const mmsi = vesselMmsis(filters.vessel);
    const params = {
      type: filters.type || null,
      mmsi,
      min_confidence: filters.minConfidence || null,
      start: state.range ? isoZ(state.range[0]) : null,
      end: state.range ? isoZ(state.range[1]) : null,
      sort: filters.sort,
      limit: PAGE,
    };
    summary.textContent = 'Loading…';
    try {
      const page = await api.events(params);
      if (mine !== seq) return;
      prepareEvents(page.items);
      summary.replaceChildren(h('span', {'data-testid': 'events-total'}, fmtNumber(page.total)),
        ` event${page.total === 1 ? '' : 's'}`,
        state.range ? ' in the brushed time range' : '',
        page.total > page.items.length ? ` (first ${page.items.length} shown)` : '');
      clear(body, eventsTable(page.items));
    } catch (err) {
      if (mine !== seq) return;
      summary.textContent = '';
      clear(body, errorBox(err));
    }
  }

  function eventsTable(items) {
    const onSort = (s) => { filters.sort = s; load(); };
    const headers = [
      sortHeader('start (UTC)', 'start_ts', filters.sort, onSort),
      sortHeader('type', 'type', filters.sort, onSort),
      h('th', null, 'vessel'),
      sortHeader('duration', 'duration_s', filters.sort, onSort),
      sortHeader('conf.', 'confidence', filters.sort, onSort),
      h('th', null, 'where'),
    ];
    return table('events-table', headers, items.map((e) => {
      const row = h('tr', {'data-testid': 'event-row', 'data-event-id': e.event_id, 'data-type': e.event_type,
        class: `clickable${e.event_id === activeId ? ' active' : ''}`,
        onclick: () => {
          activeId = e.event_id;
          for (const r of row.parentNode.children) r.classList.toggle('active', r === row);
          replayEvent(e);
        }},
      h('td', null, fmtTime(e.start_ts)),
      h('td', null, h('i', {class: 'swatch dot', style: {background: css(eventColor(e.event_type))}}), typeLabel(e.event_type)),
      h('td', null, e.vessel_name || String(e.mmsi), e.other_mmsi ? ` + ${e.other_name || e.other_mmsi}` : ''),
      h('td', {class: 'num'}, fmtDuration(e.duration_s)),
      h('td', {class: 'num'}, String(e.confidence ?? '–')),
      h('td', null, e.port_name || (Number.isFinite(e.lat) ? `${e.lat.toFixed(2)}, ${e.lon.toFixed(2)}` : '–')));
      return row;
    }));
  }

  load();
  return on('range', load);
}
