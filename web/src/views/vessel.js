// #/vessel/{mmsi}: identities over time, screening hits (with a false-positive switch),
// risk indicators, events and cases of one vessel.
import {h, clear, table} from '../dom.js';
import {api} from '../api.js';
import {fmtTime, fmtDuration, fmtFixed, typeLabel} from '../format.js';
import {state} from '../state.js';
import {eventColor, css} from '../colors.js';
import {badge, section, loading, errorBox} from './common.js';
import {selectVessels, showVessel, replayVessel, replayEvent} from '../actions.js';
import {observationForm} from './observation.js';
import {prepareEvents} from '../layers/events.js';

export function renderVessel(panel, mmsi) {
  selectVessels([mmsi]);
  clear(panel, loading(`vessel ${mmsi}`));
  let live = true;
  Promise.all([api.vessel(mmsi), api.events({mmsi, sort: 'start_ts', limit: 500}).catch((err) => err)])
    .then(([v, events]) => { if (live) draw(panel, v, events); })
    .catch((err) => { if (live) clear(panel, h('h2', null, `Vessel ${mmsi}`), errorBox(err)); });
  return () => { live = false; };
}

function draw(panel, v, events) {
  const mmsi = Number(v.key);
  const listed = state.vessels.get(mmsi) || {};
  const ids = v.identities || [];
  const latest = ids[ids.length - 1] || listed;
  const risk = (v.risk || [])[0];
  clear(panel,
    h('h2', {'data-testid': 'vessel-name'}, latest.name || listed.name || `MMSI ${mmsi}`),
    h('p', {class: 'muted', 'data-testid': 'vessel-ids'},
      `MMSI ${(v.mmsis || [mmsi]).join(', ')}`, latest.imo ? ` · IMO ${latest.imo}` : '',
      listed.flag ? ` · flag ${listed.flag}` : ''),
    h('div', {class: 'buttons'},
      h('button', {type: 'button', 'data-testid': 'vessel-show-track', onclick: () => showVessel(mmsi)}, 'Show track'),
      h('button', {type: 'button', 'data-testid': 'vessel-replay', onclick: () => replayVessel(mmsi)}, 'Replay')),
    risk ? section('Risk', 'vessel-risk',
      h('p', null, h('span', {class: `risk risk-${risk.level}`, 'data-testid': 'risk-level'}, `${risk.level} ${fmtFixed(risk.score, 0)}/100`)),
      table('risk-table', ['indicator', 'value', 'points', 'why'], (risk.indicators || []).map((i) => h('tr', {'data-testid': 'risk-row'},
        h('td', null, typeLabel(i.indicator)), h('td', {class: 'num'}, String(i.value ?? '–')),
        h('td', {class: 'num'}, `+${fmtFixed(i.contribution, 0)}`), h('td', null, i.text || ''))))) : null,
    section('Sanctions and watchlist hits', 'vessel-hits', hitsBlock(v.hits || [], mmsi, panel)),
    section('Identity history', 'vessel-identities',
      table('identities-table', ['seen (UTC)', 'name', 'IMO', 'call sign', 'MMSI', 'flag'],
        ids.map((i) => h('tr', {'data-testid': 'identity-row', title: `${i.reports ?? '?'} static reports`},
          h('td', null, fmtTime(i.first_seen), h('br'), `→ ${fmtTime(i.last_seen)}`),
          h('td', {'data-testid': 'identity-name'}, i.name || '–'),
          h('td', null, i.imo ? String(i.imo) : '–'), h('td', null, i.callsign || '–'), h('td', null, String(i.mmsi)),
          h('td', null, i.flag || (state.vessels.get(i.mmsi) || {}).flag || '–'))))),
    section('Cases', 'vessel-cases', (v.cases || []).length
      ? h('ul', {class: 'plain'}, v.cases.map((c) => h('li', null, badge(c.likelihood), ' ',
        h('a', {href: `#/case/${c.case_id}`, 'data-testid': 'vessel-case-link'}, c.hypothesis))))
      : h('p', {class: 'muted'}, 'no cases')),
    section('Events', 'vessel-events', eventsBlock(events)),
    section('Add an observation', 'vessel-observation', observationForm({mmsi})));
}

function hitsBlock(hits, mmsi, panel) {
  if (!hits.length) return h('p', {class: 'muted', 'data-testid': 'no-hits'}, 'no screening hits');
  return hits.map((hit) => {
    const note = h('input', {type: 'text', placeholder: 'note (why)', class: 'note'});
    const status = h('span', {class: 'muted'});
    const button = h('button', {type: 'button', 'data-testid': 'hit-false-positive',
      onclick: async () => {
        button.disabled = true;
        try {
          await api.markFalsePositive(hit.hit_id, note.value, Boolean(hit.false_positive));
          renderVessel(panel, mmsi);
        } catch (err) {
          status.textContent = err.message;
          button.disabled = false;
        }
      }}, hit.false_positive ? 'Undo false positive' : 'Mark false positive');
    return h('div', {class: `hit${hit.false_positive ? ' fp' : ''}`, 'data-testid': 'hit', 'data-tier': hit.tier},
      h('p', null, h('b', {class: `tier tier-${hit.tier}`}, hit.tier), ' ',
        h('span', {'data-testid': 'hit-list'}, hit.list_name || hit.source || ''), ': ',
        h('b', null, hit.entity_name || ''), hit.programme ? ` (${hit.programme})` : '',
        ` · score ${fmtFixed(hit.score, 2)}`, hit.false_positive ? ' · marked false positive' : ''),
      hit.explanation ? h('p', {class: 'explanation', 'data-testid': 'hit-explanation'}, hit.explanation) : null,
      hit.reason ? h('p', {class: 'reason', 'data-testid': 'hit-reason'}, h('b', null, 'Reason listed: '), hit.reason) : null,
      hit.false_positive_note ? h('p', {class: 'muted'}, `note: ${hit.false_positive_note}`) : null,
      h('div', {class: 'buttons'}, note, button, status));
  });
}

function eventsBlock(events) {
  if (events instanceof Error) return errorBox(events);
  prepareEvents(events.items);
  const counts = {};
  for (const e of events.items) counts[e.event_type] = (counts[e.event_type] || 0) + 1;
  return [
    h('p', {'data-testid': 'vessel-event-counts'}, Object.entries(counts).map(([t, n]) => h('span', {class: 'chip'},
      h('i', {class: 'swatch dot', style: {background: css(eventColor(t))}}), `${typeLabel(t)} ${n}`))),
    table('vessel-events-table', ['start (UTC)', 'type', 'duration', 'conf.'], events.items.map((e) => h('tr', {
      class: 'clickable', 'data-testid': 'vessel-event-row', onclick: () => replayEvent(e)},
    h('td', null, fmtTime(e.start_ts)), h('td', null, typeLabel(e.event_type)),
    h('td', {class: 'num'}, fmtDuration(e.duration_s)), h('td', {class: 'num'}, String(e.confidence ?? '–'))))),
  ];
}
