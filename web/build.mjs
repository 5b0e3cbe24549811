// Builds the dashboard into src/vesselwatch/web/static/: one JS bundle, one CSS file
// (ours + MapLibre's), the land layer as plain GeoJSON, index.html and the licences of
// everything bundled. Run with `npm run build` (after `npm ci`).
import {build} from 'esbuild';
import {createRequire} from 'node:module';
import {mkdirSync, readFileSync, writeFileSync, readdirSync, existsSync, rmSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {feature} from 'topojson-client';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(here, '..', 'src', 'vesselwatch', 'web', 'static');
const require = createRequire(import.meta.url);
// land-50m: about 1 MB of GeoJSON after rounding (0.35 MB gzipped), detailed enough for
// port approaches; 110m is too coarse at the zooms a port call is seen at
const LAND = 'world-atlas/land-50m.json';
const DIGITS = 3; // ~100 m: finer than the 50m data itself

mkdirSync(out, {recursive: true});
for (const name of readdirSync(out)) {
  if (/^(app\.(js|css)|land\.geojson|index\.html|THIRD_PARTY_LICENSES)$/.test(name)) {
    rmSync(join(out, name));
  }
}

const result = await build({
  entryPoints: [join(here, 'src', 'main.js')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  outfile: join(out, 'app.js'),
  metafile: true,
  legalComments: 'none', // the licences go to THIRD_PARTY_LICENSES instead
  logLevel: 'warning',
  define: {'process.env.NODE_ENV': '"production"'},
});

const css = [
  readFileSync(require.resolve('maplibre-gl/dist/maplibre-gl.css'), 'utf8'),
  readFileSync(join(here, 'src', 'style.css'), 'utf8'),
].join('\n');
await build({
  stdin: {contents: css, loader: 'css', resolveDir: here},
  minify: true,
  outfile: join(out, 'app.css'),
  logLevel: 'warning',
});

writeFileSync(join(out, 'land.geojson'), landGeoJson());
writeFileSync(join(out, 'index.html'), readFileSync(join(here, 'src', 'index.html')));
writeFileSync(join(out, 'THIRD_PARTY_LICENSES'), licences(result.metafile));

for (const name of ['app.js', 'app.css', 'land.geojson', 'index.html', 'THIRD_PARTY_LICENSES']) {
  const size = readFileSync(join(out, name)).length;
  console.log(`${name.padEnd(22)} ${(size / 1024).toFixed(0).padStart(6)} KiB`);
}

/** Natural Earth land as a GeoJSON FeatureCollection with rounded coordinates, cut for a
 * flat map: TopoJSON keeps the rings that cross the antimeridian whole (Chukotka, Fiji,
 * Antarctica), which a planar renderer would draw as bands across the world. */
function landGeoJson() {
  const topo = JSON.parse(readFileSync(require.resolve(LAND), 'utf8'));
  const land = feature(topo, topo.objects.land);
  const scale = 10 ** DIGITS;
  const round = (c) => [Math.round(c[0] * scale) / scale, Math.round(c[1] * scale) / scale];
  const polygons = [];
  for (const f of land.type === 'FeatureCollection' ? land.features : [land]) {
    const g = f.geometry;
    for (const polygon of g.type === 'Polygon' ? [g.coordinates] : g.coordinates) {
      polygons.push(...flatPolygons(polygon.map((ring) => ring.map(round))));
    }
  }
  return JSON.stringify({type: 'FeatureCollection', features: [{
    type: 'Feature', properties: {}, geometry: {type: 'MultiPolygon', coordinates: polygons},
  }]});
}

/** The polygon as planar polygons: each ring made continuous in longitude; a ring around a
 * pole closed along the pole; a polygon reaching past ±180 cut there, the far part moved
 * to the other side of the world. */
function flatPolygons(polygon) {
  const rings = polygon.map((ring) => {
    let offset = 0;
    const out = [ring[0]];
    for (let i = 1; i < ring.length; i++) {
      const jump = ring[i][0] - ring[i - 1][0];
      if (jump > 180) offset -= 360; else if (jump < -180) offset += 360;
      out.push([ring[i][0] + offset, ring[i][1]]);
    }
    const first = out[0];
    const last = out[out.length - 1];
    if (Math.abs(last[0] - first[0]) > 180) { // around a pole: close it along the pole
      const pole = Math.sign(first[1]) * 90;
      out.splice(out.length - 1, 1, [last[0], pole], [first[0], pole], [...first]);
    }
    return out;
  });
  const lons = rings.flat().map((c) => c[0]);
  const [min, max] = [Math.min(...lons), Math.max(...lons)];
  if (min >= -180 && max <= 180) return [rings];
  const edge = max > 180 ? 180 : -180;
  const shift = max > 180 ? -360 : 360;
  const near = rings.map((r) => clip(r, edge, max > 180 ? -1 : 1)).filter((r) => r.length >= 4);
  const far = rings.map((r) => clip(r, edge, max > 180 ? 1 : -1)).filter((r) => r.length >= 4)
    .map((r) => r.map((c) => [Math.round((c[0] + shift) * 1000) / 1000, c[1]]));
  return [near, far].filter((p) => p.length);
}

/** Sutherland-Hodgman: the part of a closed ring on one side of the meridian `x` (side -1:
 * west of it, +1: east of it), closed again. */
function clip(ring, x, side) {
  const inside = (c) => side * (c[0] - x) >= 0;
  const cross = (p, q) => {
    const f = (x - p[0]) / (q[0] - p[0]);
    return [x, Math.round((p[1] + f * (q[1] - p[1])) * 1000) / 1000];
  };
  const out = [];
  for (let i = 0; i < ring.length - 1; i++) {
    const p = ring[i];
    const q = ring[i + 1];
    if (inside(p)) {
      if (!out.length) out.push(p);
      if (inside(q)) out.push(q); else out.push(cross(p, q));
    } else if (inside(q)) {
      out.push(cross(p, q), q);
    }
  }
  if (out.length && (out[0][0] !== out[out.length - 1][0] || out[0][1] !== out[out.length - 1][1])) {
    out.push([...out[0]]);
  }
  return out;
}

/** The packages whose code went into the bundle (from esbuild's metafile) and the land
 * data, each with its version, licence and licence text. */
function licences(metafile) {
  const names = new Set();
  const used = Object.values(metafile.outputs).flatMap((o) => Object.entries(o.inputs))
    .filter(([, v]) => v.bytesInOutput > 0).map(([k]) => k);
  for (const input of used) {
    const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g);
    if (m) names.add(m[m.length - 1].replace(/^node_modules\//, '').replace(/\/$/, ''));
  }
  names.add('maplibre-gl'); // its CSS is bundled too
  names.add('world-atlas'); // the land layer (Natural Earth, public domain)
  const parts = [
    'Third-party software and data bundled in the vesselwatch dashboard (app.js, app.css,',
    'land.geojson). Generated by web/build.mjs from the packages that went into the build.',
    '',
    'land.geojson: Natural Earth 1:50m land (public domain, naturalearthdata.com), as',
    'TopoJSON from the world-atlas package (ISC), converted to GeoJSON at build time.',
    '',
  ];
  for (const name of [...names].sort()) {
    const dir = join(here, 'node_modules', name);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const licence = typeof pkg.license === 'string' ? pkg.license : JSON.stringify(pkg.license);
    parts.push('='.repeat(78), `${name} ${pkg.version} -- ${licence}`, '='.repeat(78));
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
    const distFile = join(dir, 'dist', 'LICENSE.txt');
    const text = file ? readFileSync(join(dir, file), 'utf8')
      : existsSync(distFile) ? readFileSync(distFile, 'utf8')
        : `(no licence file in the package; its package.json says ${licence})`;
    parts.push(text.trim(), '');
    const notice = readdirSync(dir).find((f) => /^notice/i.test(f));
    if (notice) parts.push(`${name} NOTICE:`, readFileSync(join(dir, notice), 'utf8').trim(), '');
  }
  return parts.join('\n') + '\n';
}
