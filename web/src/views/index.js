// The side panel: one view at a time, chosen by the route.
import {renderOverview} from './overview.js';
import {renderEvents} from './events.js';
import {renderVessel} from './vessel.js';
import {renderCases, renderCase} from './cases.js';
import {on} from '../state.js';

let cleanup = null;

function overview(panel) {
  renderOverview(panel);
  return on(['selected', 'positions', 'vessels', 'info'], () => renderOverview(panel));
}

const VIEWS = {
  map: (panel) => overview(panel),
  events: (panel) => renderEvents(panel),
  vessel: (panel, arg) => renderVessel(panel, Number(arg)),
  cases: (panel) => renderCases(panel),
  case: (panel, arg) => renderCase(panel, arg),
};

export function showView(panel, {name, arg}) {
  if (cleanup) cleanup();
  cleanup = null;
  panel.scrollTop = 0;
  panel.dataset.view = name;
  const out = VIEWS[name](panel, arg);
  if (typeof out === 'function') cleanup = out;
  for (const a of document.querySelectorAll('header nav a')) {
    const target = a.getAttribute('href').slice(2);
    a.classList.toggle('active', target === name || (target === 'cases' && name === 'case'));
  }
}
