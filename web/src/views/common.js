// Small pieces the side-panel views share.
import {h} from '../dom.js';
import {likelihoodColor} from '../colors.js';

export const badge = (term, testid = 'likelihood') => h('span', {
  class: 'badge', 'data-testid': testid, style: {background: likelihoodColor(term)},
}, term);

export const vesselLink = (mmsi, name) => h('a', {href: `#/vessel/${mmsi}`, 'data-testid': 'vessel-link'},
  name || String(mmsi));

export const section = (title, testid, ...children) => h('section', {class: 'block', 'data-testid': testid},
  h('h3', null, title), ...children);

export const loading = (what) => h('p', {class: 'muted', 'data-testid': 'loading'}, `Loading ${what}…`);

export const errorBox = (err, testid = 'view-error') => h('p', {class: 'error', 'data-testid': testid},
  err && err.message ? err.message : String(err));

/** A sortable header cell: click sorts by `key` (again: descending). */
export function sortHeader(label, key, sort, onSort) {
  const active = sort.replace(/^-/, '') === key;
  const desc = sort.startsWith('-');
  return h('th', {class: `sortable${active ? ' active' : ''}`, 'data-testid': `sort-${key}`,
    onclick: () => onSort(active && !desc ? `-${key}` : key)},
  label, active ? (desc ? ' ▾' : ' ▴') : '');
}
