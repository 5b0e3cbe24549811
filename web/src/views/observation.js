// The "add an observation" form (POST /api/observations, docs/observations.md). The
// server checks everything; its 400 message is shown as it is.
import {h} from '../dom.js';
import {api} from '../api.js';

const KINDS = ['satellite_image', 'rail_shipment', 'port_record', 'statement', 'confirmation',
  'denial', 'report', 'other'];
const NUMBERS = new Set(['lat', 'lon', 'mmsi', 'imo', 'credibility']);

/** defaults: fields to fill in (mmsi, place, ts, vessel_name). onAdded() after a success. */
export function observationForm(defaults = {}, onAdded = null) {
  const field = (name, label, input) => h('label', {class: 'field'}, h('span', null, label), input);
  const text = (name, attrs = {}) => h('input', {type: 'text', name, 'data-testid': `observation-${name}`,
    value: defaults[name] ?? '', ...attrs});
  const result = h('p', {class: 'result', 'data-testid': 'observation-result', hidden: true});
  const error = h('p', {class: 'error', 'data-testid': 'observation-error', hidden: true});
  const form = h('form', {class: 'observation', 'data-testid': 'observation-form',
    onsubmit: async (ev) => {
      ev.preventDefault();
      result.hidden = true;
      error.hidden = true;
      const fields = {};
      for (const el of form.elements) {
        if (!el.name) continue;
        if (el.type === 'checkbox') {
          if (el.checked) fields[el.name] = true;
          continue;
        }
        const value = el.value.trim();
        if (value === '') continue;
        fields[el.name] = NUMBERS.has(el.name) && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
      }
      try {
        const out = await api.addObservation(fields);
        result.textContent = out.added ? `Added (${out.added} new). Cases are rebuilt with it.`
          : 'Already in the store (nothing new).';
        result.hidden = false;
        if (onAdded) onAdded(out);
      } catch (err) {
        error.textContent = err.message;
        error.hidden = false;
      }
    }},
  h('div', {class: 'field-grid'},
    field('kind', 'kind', h('select', {name: 'kind', 'data-testid': 'observation-kind'},
      KINDS.map((k) => h('option', {value: k}, k.replace(/_/g, ' '))))),
    field('ts', 'time (ISO 8601, with zone)', text('ts', {placeholder: '2023-09-07T10:00:00Z'})),
    field('end_ts', 'until (optional)', text('end_ts')),
    field('place', 'place (port id or name)', text('place')),
    field('lat', 'lat', text('lat', {inputmode: 'decimal'})),
    field('lon', 'lon', text('lon', {inputmode: 'decimal'})),
    field('mmsi', 'MMSI', text('mmsi', {inputmode: 'numeric'})),
    field('imo', 'IMO', text('imo', {inputmode: 'numeric'})),
    field('vessel_name', 'vessel name', text('vessel_name')),
    field('source', 'source', text('source', {placeholder: 'CSIS Beyond Parallel'})),
    field('party', 'party (who states it)', text('party')),
    field('interested', 'party is interested', h('input', {type: 'checkbox', name: 'interested'})),
    field('reliability', 'source reliability', h('select', {name: 'reliability', 'data-testid': 'observation-reliability'},
      ['A', 'B', 'C', 'D', 'E', 'F'].map((r) => h('option', {value: r, selected: r === 'C'}, r)))),
    field('credibility', 'information credibility', h('select', {name: 'credibility', 'data-testid': 'observation-credibility'},
      [1, 2, 3, 4, 5, 6].map((c) => h('option', {value: c, selected: c === 3}, String(c)))))),
  field('claim', 'claim (what it says)', h('textarea', {name: 'claim', rows: 2, 'data-testid': 'observation-claim'})),
  field('url', 'URL (optional)', text('url')),
  h('div', {class: 'buttons'}, h('button', {type: 'submit', 'data-testid': 'observation-submit'}, 'Add observation')),
  result, error);
  return form;
}
