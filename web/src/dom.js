// A tiny element builder: text always goes in as text (never as HTML).

/** h('div', {class: 'x', 'data-testid': 'y', onclick: fn}, child, [children], 'text') */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'style' && typeof value === 'object') {
      Object.assign(el.style, value);
    } else if (key === 'value' || key === 'checked' || key === 'selected') {
      el[key] = value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A <table> with a header row and one row per item. */
export function table(testid, headers, rows) {
  return h('table', {class: 'grid', 'data-testid': testid},
    h('thead', null, h('tr', null, headers.map((x) => (x instanceof Node ? x : h('th', null, x))))),
    rows instanceof HTMLElement && rows.tagName === 'TBODY' ? rows : h('tbody', null, rows));
}
