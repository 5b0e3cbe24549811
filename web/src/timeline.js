// The timeline under the map: positions (grey) and events (by type) per time bin; drag to
// brush a time range (filters the map and the events list); the replay's clock moves on it.
import {h, clear} from './dom.js';
import {eventColor, css} from './colors.js';
import {fmtTime, fmtDay, toEpoch} from './format.js';
import {state, set, on} from './state.js';
import {seekReplay} from './replay.js';

const PAD_L = 44;
const PAD_R = 12;
const AXIS_H = 16;

export class Timeline {
  constructor(el, replayBar) {
    this.canvas = h('canvas', {'data-testid': 'timeline-canvas', class: 'timeline-canvas'});
    this.label = h('span', {class: 'brush-label', 'data-testid': 'brush-label'}, 'all times');
    this.clearButton = h('button', {
      type: 'button', class: 'small', 'data-testid': 'brush-clear', hidden: true,
      onclick: () => set({range: null}),
    }, 'Clear range');
    clear(el,
      h('div', {class: 'timeline-bar'}, replayBar, h('div', {class: 'brush-info'}, this.label, this.clearButton)),
      this.canvas);
    this.data = null;
    this.drag = null;
    this.canvas.addEventListener('pointerdown', (ev) => this.down(ev));
    this.canvas.addEventListener('pointermove', (ev) => this.move(ev));
    this.canvas.addEventListener('pointerup', (ev) => this.up(ev));
    new ResizeObserver(() => this.draw()).observe(this.canvas);
    on(['range', 'replay', 'hiddenTypes'], () => this.draw());
    on('range', () => this.showRange());
  }

  /** data: {start, end, bin_s, positions: [..], events: {type: [..]}} (/api/timeline). */
  setData(data) {
    this.data = {
      ...data,
      t0: toEpoch(data.start),
      t1: toEpoch(data.start) + data.bin_s * data.positions.length,
    };
    this.draw();
  }

  x(t) {
    const w = this.canvas.clientWidth - PAD_L - PAD_R;
    return PAD_L + ((t - this.data.t0) / (this.data.t1 - this.data.t0)) * w;
  }

  t(x) {
    const w = this.canvas.clientWidth - PAD_L - PAD_R;
    const f = Math.max(0, Math.min(1, (x - PAD_L) / w));
    return this.data.t0 + f * (this.data.t1 - this.data.t0);
  }

  draw() {
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const W = c.clientWidth;
    const H = c.clientHeight;
    if (!W || !H) return;
    c.width = Math.round(W * dpr);
    c.height = Math.round(H * dpr);
    const g = c.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, W, H);
    if (!this.data || !this.data.positions.length) {
      g.fillStyle = '#666';
      g.font = '12px system-ui, sans-serif';
      g.fillText('no positions', PAD_L, H / 2);
      return;
    }
    const d = this.data;
    const n = d.positions.length;
    const plotH = H - AXIS_H;
    const posH = plotH * 0.58;
    const evH = plotH - posH - 4;
    const bw = (W - PAD_L - PAD_R) / n;
    const maxP = Math.max(1, ...d.positions);
    g.fillStyle = '#8a9bb0';
    for (let i = 0; i < n; i++) {
      const hgt = (d.positions[i] / maxP) * (posH - 4);
      g.fillRect(PAD_L + i * bw, posH - hgt, Math.max(1, bw - 0.5), hgt);
    }
    const types = Object.keys(d.events).filter((t) => !state.hiddenTypes.has(t));
    const sums = new Array(n).fill(0);
    for (const t of types) d.events[t].forEach((v, i) => { sums[i] += v; });
    const maxE = Math.max(1, ...sums);
    const base = new Array(n).fill(0);
    for (const t of types) {
      g.fillStyle = css(eventColor(t), 0.9);
      d.events[t].forEach((v, i) => {
        if (!v) return;
        const hgt = (v / maxE) * evH;
        g.fillRect(PAD_L + i * bw, plotH - base[i] - hgt, Math.max(1, bw - 0.5), hgt);
        base[i] += hgt;
      });
    }
    g.fillStyle = '#333';
    g.font = '10px system-ui, sans-serif';
    g.fillText('positions', 2, 12);
    g.fillText('events', 2, posH + 14);
    this.axis(g, W, H, plotH);
    this.overlays(g, H, plotH);
  }

  axis(g, W, H, plotH) {
    const {t0, t1} = this.data;
    const span = t1 - t0;
    const step = [3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400].find((s) => span / s <= 14) || 365 * 86400;
    g.strokeStyle = '#c6ccd4';
    g.fillStyle = '#444';
    g.beginPath();
    g.moveTo(PAD_L, plotH + 0.5);
    g.lineTo(W - PAD_R, plotH + 0.5);
    g.stroke();
    for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) {
      const x = Math.round(this.x(t)) + 0.5;
      g.beginPath();
      g.moveTo(x, plotH);
      g.lineTo(x, plotH + 4);
      g.stroke();
      const label = step < 86400 ? fmtTime(t).slice(11, 16) : fmtDay(t);
      if (x + 2 + g.measureText(label).width <= W) g.fillText(label, x + 2, H - 3);
    }
  }

  overlays(g, H, plotH) {
    const range = this.drag ? this.drag.range : state.range;
    if (range) {
      const a = this.x(range[0]);
      const b = this.x(range[1]);
      g.fillStyle = 'rgba(255,255,255,0.6)';
      g.fillRect(PAD_L, 0, a - PAD_L, plotH);
      g.fillRect(b, 0, this.canvas.clientWidth - PAD_R - b, plotH);
      g.strokeStyle = '#1f5fa8';
      g.lineWidth = 1.5;
      g.strokeRect(a, 0.75, b - a, plotH - 1.5);
      g.lineWidth = 1;
    }
    const r = state.replay;
    if (r) {
      g.fillStyle = 'rgba(215,48,39,0.12)';
      g.fillRect(this.x(r.start), 0, this.x(r.end) - this.x(r.start), plotH);
      const x = Math.round(this.x(r.time)) + 0.5;
      g.strokeStyle = '#d73027';
      g.lineWidth = 2;
      g.beginPath();
      g.moveTo(x, 0);
      g.lineTo(x, H);
      g.stroke();
      g.lineWidth = 1;
    }
  }

  down(ev) {
    if (!this.data) return;
    this.canvas.setPointerCapture(ev.pointerId);
    const t = this.t(ev.offsetX);
    this.drag = {x: ev.offsetX, t, range: null};
  }

  move(ev) {
    if (!this.drag) return;
    if (Math.abs(ev.offsetX - this.drag.x) < 3) return;
    const t = this.t(ev.offsetX);
    this.drag.range = [Math.min(t, this.drag.t), Math.max(t, this.drag.t)];
    this.draw();
    this.label.textContent = rangeText(this.drag.range);
  }

  up(ev) {
    if (!this.drag) return;
    const {range, t} = this.drag;
    this.drag = null;
    if (range && range[1] - range[0] >= 60) {
      set({range: [Math.floor(range[0] / 60) * 60, Math.ceil(range[1] / 60) * 60]});
    } else if (state.replay) {
      seekReplay(t);
    } else {
      set({range: null});
    }
    this.canvas.releasePointerCapture(ev.pointerId);
    this.draw();
  }

  showRange() {
    this.label.textContent = state.range ? rangeText(state.range) : 'all times (drag to brush)';
    this.clearButton.hidden = !state.range;
  }
}

const rangeText = (r) => `${fmtTime(r[0])} → ${fmtTime(r[1])}`;
