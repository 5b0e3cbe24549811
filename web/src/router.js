// Hash routes: #/map, #/events, #/vessel/{mmsi}, #/cases, #/case/{id}. The URL always
// says what is shown, so a view can be shared as a link.

const ROUTES = ['map', 'events', 'vessel', 'cases', 'case'];

export function parseHash(hash) {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const name = ROUTES.includes(parts[0]) ? parts[0] : 'map';
  const arg = parts.length > 1 ? parts.slice(1).join('/') : null;
  if ((name === 'vessel' || name === 'case') && !arg) return {name: name === 'case' ? 'cases' : 'map', arg: null};
  return {name, arg};
}

export function go(name, arg = null) {
  const hash = `#/${name}${arg === null ? '' : `/${encodeURIComponent(arg)}`}`;
  if (window.location.hash === hash) return false;
  window.location.hash = hash;
  return true;
}

export function startRouter(render) {
  const show = () => render(parseHash(window.location.hash));
  window.addEventListener('hashchange', show);
  show();
}
