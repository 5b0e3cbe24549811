// Colours of the dashboard: speed ramp, event types, dark legs, likelihood terms.

/** Speed classes (knots, lower bound) and their colours, slowest first. */
export const SPEED_CLASSES = [
  {min: 0, label: '< 1 kn (stopped)', rgb: [120, 120, 140]},
  {min: 1, label: '1–5 kn', rgb: [43, 131, 186]},
  {min: 5, label: '5–10 kn', rgb: [26, 152, 80]},
  {min: 10, label: '10–15 kn', rgb: [230, 171, 2]},
  {min: 15, label: '≥ 15 kn', rgb: [215, 48, 39]},
];
export const SPEED_UNKNOWN = {label: 'speed unknown', rgb: [160, 160, 160]};

export const EVENT_COLORS = {
  gap: [200, 30, 140],
  dark_voyage: [120, 20, 160],
  encounter: [230, 85, 13],
  loitering: [250, 180, 20],
  port_visit: [49, 130, 189],
  voyage: [100, 150, 100],
  spoofing: [220, 0, 0],
  identity_change: [20, 150, 150],
};
const OTHER = [90, 90, 90];
export const eventColor = (type) => EVENT_COLORS[type] || OTHER;

export const DARK_LEG = [200, 30, 140];
export const WATCHED_PORT = [180, 20, 40];
export const OTHER_PORT = [70, 90, 110];
export const SEA = '#dbe7ef';
export const LAND = '#f4f1ea';
export const LAND_LINE = '#b9b4a8';

/** ICD 203 terms, weakest first, with the colour of their badge. */
export const LIKELIHOOD = [
  ['almost no chance', '#4d9221'],
  ['very unlikely', '#7fbc41'],
  ['unlikely', '#b8e186'],
  ['roughly even chance', '#f7d774'],
  ['likely', '#fdae61'],
  ['very likely', '#f46d43'],
  ['almost certain', '#d73027'],
];
export const likelihoodColor = (term) =>
  (LIKELIHOOD.find(([t]) => t === term) || [term, '#ccc'])[1];

/** Colours for vessels replayed together, in order. */
export const REPLAY_COLORS = [
  [15, 15, 25], [0, 90, 255], [230, 0, 160], [0, 150, 140], [150, 80, 0],
];

export const css = (rgb, a = 1) => `rgba(${rgb[0]},${rgb[1]},${rgb[2]},${a})`;

/** RGBA per position by speed, in one tight loop over the typed array. */
export function speedColors(sog) {
  const n = sog.length;
  const out = new Uint8Array(n * 4);
  const lut = new Uint8Array(4 * 41); // 0.5 kn steps up to 20 kn
  for (let i = 0; i <= 40; i++) {
    const kn = i / 2;
    let c = SPEED_CLASSES[0].rgb;
    for (const cls of SPEED_CLASSES) if (kn >= cls.min) c = cls.rgb;
    lut.set([c[0], c[1], c[2], 210], i * 4);
  }
  const [ur, ug, ub] = SPEED_UNKNOWN.rgb;
  for (let i = 0; i < n; i++) {
    const s = sog[i];
    const j = i * 4;
    if (s !== s) { // NaN
      out[j] = ur; out[j + 1] = ug; out[j + 2] = ub; out[j + 3] = 160;
      continue;
    }
    const k = (s >= 20 ? 40 : s <= 0 ? 0 : (s * 2) | 0) * 4;
    out[j] = lut[k]; out[j + 1] = lut[k + 1]; out[j + 2] = lut[k + 2]; out[j + 3] = lut[k + 3];
  }
  return out;
}

/** The look of the map's text labels (port names, replayed vessels): each layer adds its
 * size, colours and placement. */
export const LABEL_STYLE = {
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  fontWeight: 600,
  background: true,
  backgroundPadding: [3, 1],
  characterSet: 'auto',
};
