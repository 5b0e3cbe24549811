// What the map says on hover, and what a click on the map means.
import {state, vesselName} from './state.js';
import {fmtTime, fmtDuration, fmtFixed, typeLabel} from './format.js';

/** The row of the positions under a picked point, or of the first point of a picked track
 * part: the layers may draw only the rows around the view (layers/positions.js). */
function pickedRow(info, P) {
  const rows = info.layer.props.rows;
  if (rows) return rows[info.index];
  return info.layer.id === 'tracks' ? P.segmentStarts[info.index] : info.index;
}

/** The vessel (mmsi) under a picked object, or null. */
export function pickedVessel(info) {
  const P = state.positions;
  const id = info.layer && info.layer.id;
  if (!id || info.index < 0) return null;
  if (id === 'positions' || id === 'tracks') return P.mmsi[pickedRow(info, P)];
  if (id.startsWith('selected-track-')) return Number(id.slice('selected-track-'.length));
  if (id === 'events') return info.object.mmsi;
  if (id === 'dark-legs') return info.object.event.mmsi;
  return null;
}

const vessel = (mmsi) => `${vesselName(mmsi)} (${mmsi})`;

export function tooltipText(info) {
  const P = state.positions;
  const id = info.layer && info.layer.id;
  if (!id || info.index < 0) return null;
  if (id === 'positions') {
    const i = pickedRow(info, P);
    const sog = P.sog[i];
    const cog = P.cog[i];
    return [vessel(P.mmsi[i]), fmtTime(P.t[i], true),
      `${Number.isNaN(sog) ? 'speed unknown' : `${fmtFixed(sog)} kn`}` +
      `${Number.isNaN(cog) ? '' : `, course ${Math.round(cog)}°`}`].join('\n');
  }
  if (id === 'tracks' || id.startsWith('selected-track-')) {
    return `${vessel(pickedVessel(info))}\ntrack (click to open the vessel)`;
  }
  if (id === 'events' || id === 'dark-legs') {
    const e = id === 'events' ? info.object : info.object.event;
    const other = e.other_mmsi ? ` with ${vessel(e.other_mmsi)}` : '';
    const head = id === 'dark-legs' ? `AIS dark (${typeLabel(e.event_type)})` : typeLabel(e.event_type);
    return [`${head}: ${vessel(e.mmsi)}${other}`,
      `${fmtTime(e.start_ts)} → ${fmtTime(e.end_ts)} (${fmtDuration(e.duration_s)})`,
      e.port_name ? `port ${e.port_name}` : null,
      `confidence ${e.confidence}`].filter(Boolean).join('\n');
  }
  if (id === 'ports') {
    const p = info.object;
    return `${p.name} (${p.port_id})${p.watched ? '\nwatched port' : ''}`;
  }
  if (id === 'zones') {
    const props = (info.object && info.object.properties) || {};
    return `watched zone${props.name ? `: ${props.name}` : ''}`;
  }
  return null;
}

export function getTooltip(info) {
  const text = tooltipText(info);
  return text ? {text, className: 'vw-tooltip'} : null;
}
