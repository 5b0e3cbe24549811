// One line at the top of the page for what the analyst must know (no data, no detection).
import {h, clear} from './dom.js';

export function showBanner(message, kind = 'info') {
  const el = document.getElementById('banner');
  clear(el, h('span', {'data-testid': 'banner-text'}, message),
    h('button', {type: 'button', class: 'small', onclick: () => { el.hidden = true; }}, 'Dismiss'));
  el.className = `banner ${kind}`;
  el.hidden = false;
}
