// #/cases: shipment cases, strongest first; #/case/{id}: one case with its evidence chain.
import {h, clear, table} from '../dom.js';
import {api} from '../api.js';
import {fmtTime, fmtShort, fmtFixed, toEpoch, typeLabel} from '../format.js';
import {LIKELIHOOD} from '../colors.js';
import {state} from '../state.js';
import {badge, section, loading, errorBox, vesselLink} from './common.js';
import {replayCase, replayEvent, selectVessels} from '../actions.js';
import {observationForm} from './observation.js';

let minLikelihood = '';
const EXPORTS = ['html', 'kml', 'geojson', 'ftm', 'parquet'];

export function renderCases(panel) {
  const select = h('select', {'data-testid': 'cases-filter-likelihood',
    onchange: (e) => { minLikelihood = e.target.value; load(); }},
  h('option', {value: ''}, 'any likelihood'),
  LIKELIHOOD.map(([t]) => h('option', {value: t, selected: t === minLikelihood}, `at least ${t}`)));
  const summary = h('p', {class: 'muted', 'data-testid': 'cases-summary'});
  const body = h('div', {class: 'table-wrap'});
  clear(panel, h('h2', null, 'Cases'), h('div', {class: 'filters'}, select), summary, body);
  let live = true;
  async function load() {
    clear(body, loading('cases'));
    try {
      const page = await api.cases({min_likelihood: minLikelihood || null});
      if (!live) return;
      summary.replaceChildren(h('span', {'data-testid': 'cases-total'}, String(page.total)),
        ' shipment cases (legs between watched ports), most likely first');
      clear(body, table('cases-table', ['likelihood', 'vessel', 'leg', 'departed (UTC)', 'arrived', 'dark h'],
        page.items.map((c) => h('tr', {class: 'clickable', 'data-testid': 'case-row', 'data-case-id': c.case_id,
          'data-likelihood': c.likelihood, onclick: () => { window.location.hash = `#/case/${c.case_id}`; }},
        h('td', null, badge(c.likelihood)),
        h('td', {'data-testid': 'case-vessel'}, c.vessel_name || String(c.mmsi)),
        h('td', {'data-testid': 'case-leg'}, `${c.origin_port_name || c.origin_port_id || '?'} → ${c.dest_port_name || c.dest_port_id || '?'}`),
        h('td', {class: 'time', title: fmtTime(c.departed_ts)}, fmtShort(c.departed_ts)),
        h('td', {class: 'time', title: fmtTime(c.arrived_ts)}, fmtShort(c.arrived_ts)),
        h('td', {class: 'num'}, fmtFixed(c.dark_hours))))));
    } catch (err) {
      if (live) clear(body, errorBox(err));
    }
  }
  load();
  return () => { live = false; };
}

export function renderCase(panel, caseId) {
  clear(panel, loading(`case ${caseId}`));
  let live = true;
  api.case(caseId).then((c) => {
    if (!live) return;
    selectVessels([c.mmsi]);
    drawCase(panel, c);
  }).catch((err) => { if (live) clear(panel, h('h2', null, `Case ${caseId}`), errorBox(err)); });
  return () => { live = false; };
}

const grade = (e) => (e.reliability || e.credibility ? `${e.reliability ?? '?'}${e.credibility ?? '?'}` : '–');

function drawCase(panel, c) {
  const evidence = [...(c.evidence || [])].sort((a, b) => (toEpoch(a.ts) ?? Infinity) - (toEpoch(b.ts) ?? Infinity));
  const exports = c.exports || Object.fromEntries(EXPORTS.map((f) => [f, `api/cases/${c.case_id}/dossier.${f}`]));
  const byId = new Map(state.events.map((e) => [e.event_id, e]));
  const others = (c.other_vessels || []).map((v) => (typeof v === 'object' ? v : {mmsi: v}));
  clear(panel,
    h('p', {class: 'crumbs'}, h('a', {href: '#/cases', 'data-testid': 'back-to-cases'}, '← all cases')),
    h('h2', null, badge(c.likelihood, 'case-likelihood')),
    h('p', {class: 'hypothesis', 'data-testid': 'case-hypothesis'}, c.hypothesis),
    h('dl', {class: 'facts', 'data-testid': 'case-facts'},
      h('dt', null, 'vessel'), h('dd', null, vesselLink(c.mmsi, c.vessel_name), c.imo ? ` (IMO ${c.imo})` : ''),
      h('dt', null, 'leg'), h('dd', {'data-testid': 'case-leg'}, `${c.origin_port_name || c.origin_port_id} → ${c.dest_port_name || c.dest_port_id}`),
      h('dt', null, 'departed'), h('dd', null, fmtTime(c.departed_ts)),
      h('dt', null, 'arrived'), h('dd', null, fmtTime(c.arrived_ts)),
      h('dt', null, 'AIS dark'), h('dd', {'data-testid': 'case-dark-hours'}, `${fmtFixed(c.dark_hours)} h`),
      others.length ? [h('dt', null, 'with'), h('dd', null, others.map((o) => vesselLink(o.mmsi, o.name)))] : null),
    h('div', {class: 'buttons'},
      h('button', {type: 'button', class: 'primary', 'data-testid': 'case-replay', onclick: () => replayCase(c)}, '▶ Replay the leg'),
      h('span', {class: 'exports'}, 'Dossier: ', EXPORTS.filter((f) => exports[f]).map((f) => h('a', {
        href: exports[f].replace(/^\//, ''), download: '', 'data-testid': `export-${f}`, class: 'export'}, f)))),
    section('Why this likelihood', 'case-reasons', h('ol', null, (c.reasons || []).map((r) => h('li', {'data-testid': 'case-reason'}, r)))),
    section('Evidence, in time order', 'case-evidence',
      table('evidence-table', ['time (UTC)', 'kind', 'source', 'grade', 'weight', 'what'], evidence.map((e) => {
        const event = byId.get(e.ref);
        return h('tr', {'data-testid': 'evidence-row', 'data-kind': e.kind,
          class: event ? 'clickable' : null, onclick: event ? () => replayEvent(event) : null},
        h('td', null, fmtTime(e.ts)), h('td', null, typeLabel(e.kind)), h('td', null, e.source || '–'),
        h('td', null, grade(e)), h('td', {class: 'num'}, e.weight > 0 ? `+${e.weight}` : String(e.weight ?? 0)),
        h('td', null, e.summary || ''));
      }))),
    section('Confirmed by', 'case-confirmed', listOf(c.confirmed_by)),
    section('Denied by', 'case-denied', listOf(c.denied_by)),
    section('Add an observation to this case', 'case-observation',
      observationForm({mmsi: c.mmsi, vessel_name: c.vessel_name}, () => renderCase(panel, c.case_id))));
}

function listOf(items) {
  if (!items || !items.length) return h('p', {class: 'muted'}, 'none');
  return h('ul', {class: 'plain'}, items.map((x) => h('li', null,
    typeof x === 'string' ? x : x.summary || x.claim || x.ref || JSON.stringify(x))));
}
