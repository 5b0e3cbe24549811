// The replay controls above the timeline: play/pause, speed, trail, the clock.
import {h} from './dom.js';
import {fmtTime} from './format.js';
import {state, on, vesselName} from './state.js';
import {
  SPEEDS, TRAILS, toggleReplay, setReplaySpeed, setReplayTrail, closeReplay, setupReplay,
} from './replay.js';

export function replayBar({onReplaySelection}) {
  const play = h('button', {type: 'button', class: 'play', 'data-testid': 'replay-play', onclick: toggleReplay}, '▶');
  const time = h('span', {class: 'replay-time', 'data-testid': 'replay-time'}, '');
  const speed = h('select', {'data-testid': 'replay-speed', title: 'replay speed',
    onchange: (e) => setReplaySpeed(Number(e.target.value))},
  SPEEDS.map((s) => h('option', {value: s.s}, s.label)));
  const trail = h('select', {'data-testid': 'replay-trail', title: 'trail length',
    onchange: (e) => setReplayTrail(Number(e.target.value))},
  TRAILS.map((s) => h('option', {value: s.s}, `trail ${s.label}`)));
  const who = h('span', {class: 'replay-vessels', 'data-testid': 'replay-vessels'});
  const close = h('button', {type: 'button', class: 'small', 'data-testid': 'replay-close', title: 'close the replay',
    onclick: closeReplay}, '✕');
  const controls = h('span', {class: 'replay-controls'}, play, time, speed, trail, who, close);
  const start = h('button', {type: 'button', class: 'small', 'data-testid': 'replay-selection',
    onclick: onReplaySelection}, 'Replay the selection');
  const hint = h('span', {class: 'replay-hint'}, 'Replay: pick a case, an event or a vessel', start);
  const bar = h('div', {class: 'replay-bar', 'data-testid': 'replay-bar'}, controls, hint);

  let shown = null;
  function render() {
    const r = state.replay;
    controls.hidden = !r;
    hint.hidden = Boolean(r);
    start.hidden = !state.selected.length;
    if (!r) {
      shown = null;
      return;
    }
    play.textContent = r.playing ? '❚❚' : '▶';
    play.title = r.playing ? 'pause' : 'play';
    time.textContent = fmtTime(r.time, true);
    bar.dataset.playing = r.playing ? '1' : '0';
    if (shown !== r.vessels) {
      shown = r.vessels;
      speed.value = String(r.speed);
      trail.value = String(r.trail);
      who.replaceChildren(...r.vessels.map((v) => h('span', {class: 'chip',
        style: {borderColor: `rgb(${v.rgb.join(',')})`}}, vesselName(v.mmsi))));
      if (!r.vessels.length) who.textContent = 'no positions in this span';
    }
  }
  on(['replay', 'selected'], render);
  render();
  return bar;
}

/** Replays the selected vessels over the brushed range, or over all their data. */
export async function replaySelection() {
  const P = state.positions;
  if (!state.selected.length || !P) return null;
  let start = Infinity;
  let end = -Infinity;
  for (const m of state.selected) {
    const run = P.runs.get(m);
    if (!run) continue;
    start = Math.min(start, P.t[run[0]]);
    end = Math.max(end, P.t[run[1] - 1] + 1);
  }
  if (state.range) {
    start = Math.max(start, state.range[0]);
    end = Math.min(end, state.range[1]);
  }
  if (!(end > start)) return null;
  return setupReplay(state.selected, start, end, {play: true});
}
