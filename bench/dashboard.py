"""The dashboard in a headless browser: time until the data layer is ready, frame times while
panning, and the GeoJSON map a Leaflet/folium page would load, measured in the same run.

Input, per ``--sizes`` entry (positions wanted; default 1M and 5M): synthetic tracks from
``bench/make_tracks.py`` (one day, ``--seed``; about 2,450 positions a vessel-day, so the
vessel count is the size over that), then ``vesselwatch ingest FILE --store DIR`` and
``vesselwatch detect --store DIR --ports FILE.ports.csv`` so the map has events. Tracks and
stores are kept in ``--work`` and reused by later runs (the store's own positions count is
what is reported, not the size asked for).

Server: ``vesselwatch.web.server.serve(store, port=0)`` in a subprocess, exactly as
``vesselwatch serve`` runs it, with one addition: the app also serves the benchmark's files
(the GeoJSON baseline and a blank page) under ``/bench-files/``, so baseline and dashboard
come from the same process over the same loopback HTTP. Browser: the system Chromium
(``--chromium``, never downloaded) driven by Playwright, headless, WebGL through ANGLE on
SwiftShader, i.e. **rendered on the CPU**: frame times are CPU figures, not a GPU's.
Viewport 1280 x 800. Nothing is pinned: the browser needs both cores.

Measured per size, ``--repeat`` times (a fresh browser context each time, so no HTTP cache),
reported as median and min:

(a) **data ready**: navigation start to ``performance.mark("vw-data-ready")`` (the front end
    sets it after the first frame that draws the loaded positions; docs/dashboard.md, "Front
    end contract"). Split with Resource Timing of ``positions.arrow`` (request start, server
    wait, download, transfer size) and the front end's own marks ``vw-positions-loaded``
    (the ArrayBuffer is in hand), ``vw-positions-decoded`` (Arrow decoded and the map's
    arrays prepared: colours, track segments) and ``vw-data-ready`` (first draw).
(b) **panning**: for each view (``fit``: the opening view, fitted to the data; ``out``:
    zoom 3, where the front end draws a density grid; ``in``: zoom 7, points and tracks)
    the map is dragged back and forth with the mouse for ``--pan-seconds`` while the page
    records ``requestAnimationFrame`` times; frame-time median and p95 and fps, pooled over
    the repetitions, plus how many frames MapLibre rendered. The layers drawn in each view
    are read from ``window.vw.layers()``.
(c) **baselines**, same run, same server, fresh pages on the same origin:
    - GeoJSON: the same rows (taken from the server's Arrow stream) as a GeoJSON
      FeatureCollection of Points with properties ``mmsi, ts, sog, cog``, what a
      Leaflet/folium map loads, served as static files; the page fetches the text and
      ``JSON.parse``s it (time to parsed objects; a Leaflet map would then still have to
      build a marker per feature). Files hold at most ``--geojson-part`` features
      (1,000,000 by default: a single 5M-feature file is longer than V8's longest string,
      about 512 MiB, so no page can parse it whole), fetched and parsed one after the
      other, all kept alive;
    - the dashboard's JSON twin ``/api/positions?limit=...`` fetched and parsed in the page
      (it answers at most 1,000,000 rows, thinned evenly per vessel beyond that);
    - the server's own time to produce ``positions.arrow`` and the JSON twin, timed from
      Python like curl (a new connection each time; time to the response headers, which
      the app sends only once the body is built, and to the last byte).

Ratios: GeoJSON fetch + parse over the dashboard's data-ready time (what the user waits
for in each case), and over the dashboard's own fetch + decode of the Arrow stream (data
to usable arrays in both).

Run: ``python bench/dashboard.py --sizes 1000000,5000000 --repeat 3 --work /tmp/vw-dash
--json /tmp/vw-dashboard.json``
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import http.client
import itertools
import json
import math
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

BENCH = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
# WebGL on the CPU (ANGLE over SwiftShader), as in the browser tests
CHROMIUM_ARGS = ["--use-gl=angle", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]
VIEWPORT = {"width": 1280, "height": 800}
POSITIONS_PER_VESSEL_DAY = 2450  # make_tracks.py: 400 vessels x 1 day = 979,687 positions
FILES_ROUTE = "bench-files"
JSON_API_MAX = 1_000_000  # the JSON twin's largest limit (docs/dashboard.md)
READY_TIMEOUT_MS = 900_000
# the views panned: name -> zoom (None: the opening view); the front end draws a density
# image below zoom 4 or with many positions in view, points + tracks otherwise
# (web/src/layers/positions.js)
VIEWS: dict[str, float | None] = {"fit": None, "out": 3.0, "in": 7.0}
PAN_ORIGIN = (560, 360)  # inside the map, right of the legend, left of the side panel
PAN_SWING_PX = 160
PAN_STEP_PX = 12
POSITION_LAYERS = ("density", "tracks", "positions")


# ---------------------------------------------------------------- small helpers

def _stats(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"median": None, "min": None}
    return {"median": statistics.median(values), "min": min(values)}


def _quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    at = q * (len(ordered) - 1)
    low = math.floor(at)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


def _loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _run(args: list[str]) -> tuple[float, str]:
    began = time.perf_counter()
    proc = subprocess.run(args, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - began
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args[:3])} ... exited {proc.returncode}:\n"
                         f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return seconds, proc.stdout


# ---------------------------------------------------------------- data

def prepare_store(work: Path, size: int, seed: int = 1) -> dict[str, Any]:
    """Tracks of about ``size`` positions, ingested and detected, kept in ``work``."""
    vessels = max(2, round(size / POSITIONS_PER_VESSEL_DAY))
    tracks = work / f"tracks-{vessels}v-s{seed}.parquet"
    store = work / f"store-{vessels}v-s{seed}"
    done = work / f"store-{vessels}v-s{seed}.prepared.json"
    if done.exists() and store.is_dir():
        prepared: dict[str, Any] = json.loads(done.read_text())
        prepared["reused"] = True
        return prepared
    work.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    if not tracks.exists():
        timings["make_tracks_s"], _ = _run([
            sys.executable, str(BENCH / "make_tracks.py"), "--vessels", str(vessels),
            "--days", "1", "--seed", str(seed), "--out", str(tracks)])
    if store.exists():  # an earlier run stopped half way
        shutil.rmtree(store)
    vesselwatch = [sys.executable, "-m", "vesselwatch"]
    timings["ingest_s"], _ = _run([*vesselwatch, "ingest", str(tracks), "--store", str(store),
                                   "--json"])
    timings["detect_s"], _ = _run([
        *vesselwatch, "detect", "--store", str(store), "--ports",
        str(tracks.with_suffix(".ports.csv")), "--json"])
    prepared = {"requested": size, "vessels": vessels, "seed": seed, "tracks": str(tracks),
                "store": str(store), "timings": timings}
    done.write_text(json.dumps(prepared, indent=2) + "\n")
    prepared["reused"] = False
    return prepared


def _geojson_strings(batch: Any) -> Any:
    """One GeoJSON Feature text per row (a pyarrow string array), built column-wise."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    def number(values: Any, decimals: int) -> Any:
        rounded = pc.round(pc.cast(values, pa.float64()), decimals)
        text = pc.cast(rounded, pa.string())
        nan = pc.is_nan(rounded)
        return pc.if_else(nan, pa.scalar("null"), text)

    xy = batch.column("position").flatten()
    lon, lat = xy.take(pa.array(np.arange(0, len(xy), 2))), xy.take(
        pa.array(np.arange(1, len(xy), 2)))
    seconds = batch.column("t").to_numpy().astype("datetime64[s]")
    ts = pa.array(np.datetime_as_string(seconds, unit="s")).cast(pa.string())
    parts = [
        '{"type":"Feature","geometry":{"type":"Point","coordinates":[', number(lon, 6), ",",
        number(lat, 6), ']},"properties":{"mmsi":', pc.cast(batch.column("mmsi"), pa.string()),
        ',"ts":"', ts, 'Z","sog":', number(batch.column("sog"), 3), ',"cog":',
        number(batch.column("cog"), 3), "}}",
    ]
    return pc.binary_join_element_wise(*parts, "")


def write_geojson(arrow_body: bytes, folder: Path, part_rows: int) -> dict[str, Any]:
    """The Arrow stream's rows as GeoJSON files of at most ``part_rows`` features each."""
    import pyarrow as pa

    table = pa.ipc.open_stream(arrow_body).read_all().combine_chunks()
    rows = table.num_rows
    part_rows = part_rows if part_rows > 0 else max(rows, 1)
    key = f"rows-{rows}-part-{part_rows}"
    made = folder / f"{key}.json"
    if made.exists():
        found: dict[str, Any] = json.loads(made.read_text())
        if all((folder / name).exists() for name in found["files"]):
            return found
    began = time.perf_counter()
    files, sizes = [], []
    batches = table.to_batches(max_chunksize=part_rows) if rows else []
    for i, batch in enumerate(batches or [None]):
        name = f"{key}-{i:03d}.geojson"
        with open(folder / name, "wb") as out:
            out.write(b'{"type":"FeatureCollection","features":[\n')
            if batch is not None and batch.num_rows:
                features = _geojson_strings(batch)
                for start in range(0, len(features), 200_000):
                    chunk = features.slice(start, 200_000).to_pylist()
                    out.write(("\n" if start else "").encode())
                    out.write(",\n".join(chunk).encode())
                    if start + 200_000 < len(features):
                        out.write(b",")
            out.write(b"\n]}\n")
        files.append(name)
        sizes.append((folder / name).stat().st_size)
    found = {"rows": rows, "part_rows": part_rows, "files": files, "bytes": sum(sizes),
             "file_bytes": sizes, "written_s": time.perf_counter() - began}
    made.write_text(json.dumps(found, indent=2) + "\n")
    return found


# ---------------------------------------------------------------- the server

def _serve_child(store: str, files: str) -> int:
    """The child process: ``serve()`` of the store, plus the benchmark's files."""
    from starlette.staticfiles import StaticFiles

    import vesselwatch.web.app as web_app
    from vesselwatch.web.server import serve

    make_app = web_app.create_app

    def with_files(*args: Any, **kwargs: Any) -> Any:
        app = make_app(*args, **kwargs)
        app.mount(f"/{FILES_ROUTE}", StaticFiles(directory=files), name=FILES_ROUTE)
        return app

    web_app.create_app = with_files  # serve() looks it up when called
    try:
        serve(store, port=0, ready=lambda url: print(f"listening {url}", flush=True))
    except KeyboardInterrupt:
        pass
    return 0


@contextmanager
def server(store: Path, files: Path) -> Iterator[str]:
    """The dashboard of ``store`` in a subprocess; yields its address; Ctrl-C at the end."""
    files.mkdir(parents=True, exist_ok=True)
    (files / "blank.html").write_text("<!doctype html><title>baseline</title><body></body>\n")
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--serve-child",
                             str(store), str(files)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url = None
        for line in proc.stdout:
            if line.startswith("listening "):
                url = line.split()[1]
                break
        if url is None:
            raise SystemExit(f"the dashboard server exited with {proc.wait()} before listening")
        yield url
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def http_get(url: str) -> tuple[float, float, bytes]:
    """(seconds to the response headers, seconds to the last byte, body): a new connection
    each time, like curl."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    began = time.perf_counter()
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=600)
    try:
        conn.request("GET", target)
        response = conn.getresponse()
        first = time.perf_counter() - began
        body = response.read()
        total = time.perf_counter() - began
        if response.status != 200:
            raise SystemExit(f"GET {url}: {response.status} {body[:300]!r}")
    finally:
        conn.close()
    return first, total, body


def time_server(url: str, repeat: int) -> dict[str, Any]:
    """Server-side figures: headers and last byte of each route, ms; and the rows sent."""
    firsts, totals = [], []
    size = 0
    for _ in range(repeat):
        first, total, body = http_get(url)
        firsts.append(first * 1e3)
        totals.append(total * 1e3)
        size = len(body)
    return {"url_path": urlsplit(url).path + (f"?{urlsplit(url).query}"
                                              if urlsplit(url).query else ""),
            "bytes": size, "headers_ms": _stats(firsts), "total_ms": _stats(totals),
            "runs_headers_ms": firsts, "runs_total_ms": totals}


# ---------------------------------------------------------------- in the browser

_LOAD_FIGURES = """() => {
  const mark = (name) => {
    const found = performance.getEntriesByName(name, 'mark');
    return found.length ? found[0].startTime : null;
  };
  const res = performance.getEntriesByType('resource')
    .filter((r) => new URL(r.name).pathname.endsWith('/api/positions.arrow'));
  const r = res.length ? res[0] : null;
  const layers = window.vw && window.vw.layers ? window.vw.layers() : [];
  const gl = document.createElement('canvas').getContext('webgl2');
  const info = gl && gl.getExtension('WEBGL_debug_renderer_info');
  return {
    ready: mark('vw-data-ready'), loaded: mark('vw-positions-loaded'),
    decoded: mark('vw-positions-decoded'), mapLoaded: mark('vw-map-loaded'),
    status: window.vw ? window.vw.status : null, bodyReady: document.body.dataset.ready,
    arrow: r && {startTime: r.startTime, requestStart: r.requestStart,
      responseStart: r.responseStart, responseEnd: r.responseEnd,
      transferSize: r.transferSize, encodedBodySize: r.encodedBodySize},
    layers, zoom: window.vw && window.vw.viewState ? window.vw.viewState().zoom : null,
    heapMB: performance.memory ? performance.memory.usedJSHeapSize / 1048576 : null,
    renderer: info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : null,
  };
}"""

_GPU_SYNC = """() => {
  // a one-pixel read returns once the GPU has done all the work handed to it
  const gl = window.vw.map.getCanvas().getContext('webgl2');
  if (gl) gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
}"""

_SET_VIEW = """async ({zoom}) => {
  const map = window.vw.map;
  (GPU_SYNC)();  // frames still queued from before are not this view's
  await new Promise((r) => requestAnimationFrame(r));
  const began = performance.now();
  if (zoom !== null) map.jumpTo({zoom});
  // the front end rebuilds its layers on the animation frame after zoomend; then one
  // frame with them, done by the GPU (a one-pixel read waits for it)
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  await new Promise((resolve) => { map.once('render', resolve); map.triggerRepaint(); });
  (GPU_SYNC)();
  return {settleMs: performance.now() - began, zoom: map.getZoom(),
          layers: window.vw.layers()};
}""".replace("GPU_SYNC", _GPU_SYNC)

_START_FRAMES = """() => {
  const f = {times: [], renders: [], moves: 0, run: true};
  window.__vwBench = f;
  f.onRender = () => { f.renders.push(performance.now()); };
  f.onMove = () => { f.moves += 1; };
  window.vw.map.on('render', f.onRender);
  window.vw.map.on('move', f.onMove);
  const tick = (t) => { f.times.push(t); if (f.run) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
}"""

_COUNT_RENDERS = "() => window.__vwBench.renders.length"

_STOP_FRAMES = """() => {
  const f = window.__vwBench;
  f.run = false;
  window.vw.map.off('render', f.onRender);
  window.vw.map.off('move', f.onMove);
  const now = performance.now();
  (GPU_SYNC)();  // the drawn frames the GPU had not finished when the drag stopped
  return {times: f.times, renders: f.renders, moves: f.moves, now,
          backlogMs: performance.now() - now};
}""".replace("GPU_SYNC", _GPU_SYNC)

# the renderer's floor: n points of 3 px (round, as the dashboard's) in one draw call of a
# bare WebGL2 program, timed to a one-pixel read (the GPU has done the work)
_GL_FLOOR = """({n, reps}) => {
  const canvas = document.createElement('canvas');
  canvas.width = window.innerWidth; canvas.height = window.innerHeight;
  document.body.appendChild(canvas);
  const gl = canvas.getContext('webgl2', {antialias: true});
  const vs = `#version 300 es
    in vec2 p; void main() { gl_Position = vec4(p, 0.0, 1.0); gl_PointSize = 3.0; }`;
  const fs = `#version 300 es
    precision highp float; out vec4 o;
    void main() { vec2 d = gl_PointCoord - 0.5; if (dot(d, d) > 0.25) discard;
                  o = vec4(0.9, 0.6, 0.1, 1.0); }`;
  const prog = gl.createProgram();
  for (const [type, src] of [[gl.VERTEX_SHADER, vs], [gl.FRAGMENT_SHADER, fs]]) {
    const sh = gl.createShader(type); gl.shaderSource(sh, src); gl.compileShader(sh);
    gl.attachShader(prog, sh);
  }
  gl.bindAttribLocation(prog, 0, 'p'); gl.linkProgram(prog); gl.useProgram(prog);
  const xy = new Float32Array(2 * n);
  let seed = 1;
  for (let i = 0; i < xy.length; i++) {
    seed = (seed * 16807) % 2147483647;
    xy[i] = (seed / 2147483647) * 1.6 - 0.8;
  }
  gl.bindBuffer(gl.ARRAY_BUFFER, gl.createBuffer());
  gl.bufferData(gl.ARRAY_BUFFER, xy, gl.STATIC_DRAW);
  gl.enableVertexAttribArray(0); gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
  const px = new Uint8Array(4); const times = [];
  for (let r = 0; r <= reps; r++) {  // the first frame (upload, shader) is left out
    const t0 = performance.now();
    gl.clear(gl.COLOR_BUFFER_BIT); gl.drawArrays(gl.POINTS, 0, n);
    gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
    if (r) times.push(performance.now() - t0);
  }
  canvas.remove();
  return times;
}"""

_PARSE_JSON = """async ({urls, kind}) => {
  // fetch each file, then JSON.parse it; every parsed object is kept, as a map would
  const kept = [];
  let fetchMs = 0; let parseMs = 0; let count = 0; let bytes = 0;
  const began = performance.now();
  for (const url of urls) {
    const t0 = performance.now();
    const response = await fetch(url, {cache: 'no-store'});
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    const text = await response.text();
    const t1 = performance.now();
    const parsed = JSON.parse(text);
    const t2 = performance.now();
    fetchMs += t1 - t0; parseMs += t2 - t1; bytes += text.length;
    count += kind === 'geojson' ? parsed.features.length : parsed.items.length;
    kept.push(parsed);
  }
  const totalMs = performance.now() - began;
  window.__kept = kept;
  return {fetchMs, parseMs, totalMs, count, chars: bytes,
          heapMB: performance.memory ? performance.memory.usedJSHeapSize / 1048576 : null};
}"""


def _launch(p: Any, chromium: Path) -> Any:
    return p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)


def load_dashboard(page: Any, url: str) -> dict[str, Any]:
    """Open the dashboard and wait for the data-ready signal; the load figures, in ms."""
    page.goto(url, wait_until="commit")
    page.wait_for_function("document.body.dataset.ready === '1' || "
                           "document.body.dataset.ready === 'error'",
                           timeout=READY_TIMEOUT_MS, polling=100)
    raw: dict[str, Any] = page.evaluate(_LOAD_FIGURES)
    if raw["bodyReady"] != "1" or raw["ready"] is None:
        raise SystemExit(f"the dashboard did not get ready: {raw}")
    out: dict[str, Any] = {"ready_ms": raw["ready"], "positions": raw["status"]["positions"],
                           "status": raw["status"], "layers": raw["layers"],
                           "zoom": raw["zoom"], "heap_mb": raw["heapMB"],
                           "renderer": raw["renderer"], "map_loaded_ms": raw["mapLoaded"]}
    arrow = raw["arrow"]
    if arrow:
        out.update({
            "arrow_request_start_ms": arrow["startTime"],
            "arrow_server_wait_ms": arrow["responseStart"] - arrow["requestStart"],
            "arrow_download_ms": arrow["responseEnd"] - arrow["responseStart"],
            "arrow_fetch_ms": arrow["responseEnd"] - arrow["startTime"],
            "arrow_transfer_bytes": arrow["transferSize"],
            "arrow_body_bytes": arrow["encodedBodySize"],
        })
    if raw["loaded"] is not None and raw["decoded"] is not None:
        out["buffer_in_hand_ms"] = raw["loaded"]
        if arrow:
            # the response ended; the page got the ArrayBuffer when its main thread was free
            out["arrow_buffer_wait_ms"] = raw["loaded"] - arrow["responseEnd"]
            out["arrow_fetch_decode_ms"] = raw["decoded"] - arrow["startTime"]
        out["decode_prepare_ms"] = raw["decoded"] - raw["loaded"]
        out["first_draw_ms"] = raw["ready"] - raw["decoded"]
    return out


def pan(page: Any, seconds: float, min_renders: int, max_seconds: float) -> dict[str, Any]:
    """Drag the map back and forth for ``seconds`` (longer, up to ``max_seconds``, until
    the map has rendered ``min_renders`` frames); the page's frame times, ms."""
    x0, y0 = PAN_ORIGIN
    page.mouse.move(x0, y0)
    page.evaluate(_START_FRAMES)
    page.mouse.down()
    x, direction, moves = x0, 1, 0
    began = time.perf_counter()
    while True:
        elapsed = time.perf_counter() - began
        if elapsed >= seconds and (elapsed >= max_seconds
                                   or page.evaluate(_COUNT_RENDERS) >= min_renders):
            break
        x += direction * PAN_STEP_PX
        if abs(x - x0) >= PAN_SWING_PX:
            direction = -direction
        page.mouse.move(x, y0 + (moves % 2) * 2)
        moves += 1
    page.mouse.up()
    got: dict[str, Any] = page.evaluate(_STOP_FRAMES)
    times, renders = got["times"], got["renders"]
    # a map render runs inside an animation frame and hands its work to the GPU process;
    # the next frame comes once that work is done, so the animation-frame interval that
    # holds a render is the time of that drawn frame
    drawn = []
    for r in renders:
        i = bisect.bisect_right(times, r)
        if 0 < i < len(times):
            drawn.append(times[i] - times[i - 1])
    return {
        "deltas_ms": [b - a for a, b in itertools.pairwise(times)],
        "drawn_frame_ms": drawn,
        "render_intervals_ms": [b - a for a, b in itertools.pairwise(renders)],
        "span_ms": (times[-1] - times[0]) if len(times) > 1 else 0.0,
        "wall_s": time.perf_counter() - began, "renders": len(renders),
        "gpu_backlog_ms": got["backlogMs"],
        "map_moves": got["moves"], "mouse_moves": moves,
        # a drag that rendered nothing: the frame in flight has taken at least this long
        "open_frame_ms": got["now"] - (renders[-1] if renders else times[0] if times
                                       else got["now"]),
    }


def _frame_summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    deltas = [d for r in runs for d in r["deltas_ms"]]
    intervals = [d for r in runs for d in r["render_intervals_ms"]]
    drawn = [d for r in runs for d in r["drawn_frame_ms"]]
    span = sum(r["span_ms"] for r in runs) / 1e3
    renders = sum(r["renders"] for r in runs)
    return {
        "raf_frames": len(deltas), "seconds": span,
        "frame_ms_median": _quantile(deltas, 0.5), "frame_ms_p95": _quantile(deltas, 0.95),
        "frame_ms_max": max(deltas) if deltas else None,
        "fps": len(deltas) / span if span else None,
        "map_renders": renders, "map_renders_per_s": renders / span if span else None,
        # the page may hand the GPU frames faster than it draws them: count the drag plus
        # the time the GPU needed afterwards to finish them
        "effective_frame_ms": ((sum(r["span_ms"] + r["gpu_backlog_ms"] for r in runs)
                                / renders) if renders else None),
        "effective_fps": (renders * 1e3 / sum(r["span_ms"] + r["gpu_backlog_ms"] for r in runs)
                          if renders else None),
        "drawn_frame_ms_median": _quantile(drawn, 0.5),
        "drawn_frame_ms_p95": _quantile(drawn, 0.95),
        "drawn_frame_ms_max": max(drawn) if drawn else None,
        "render_interval_ms_median": _quantile(intervals, 0.5),
        "render_interval_ms_p95": _quantile(intervals, 0.95),
        "open_frame_ms_max": max((r["open_frame_ms"] for r in runs), default=None),
        "gpu_backlog_ms_max": max((r["gpu_backlog_ms"] for r in runs), default=None),
        "map_moves": sum(r["map_moves"] for r in runs),
        "mouse_moves": sum(r["mouse_moves"] for r in runs),
        "wall_s": sum(r["wall_s"] for r in runs),
    }


def gl_floor(context: Any, base: str, n: int, reps: int) -> list[float]:
    """Frame times (ms) of ``n`` bare WebGL2 points on the same renderer."""
    page = context.new_page()
    try:
        page.goto(base + f"{FILES_ROUTE}/blank.html")
        times: list[float] = page.evaluate(_GL_FLOOR, {"n": n, "reps": reps})
    finally:
        page.close()
    return times


def parse_in_page(context: Any, base: str, paths: list[str], kind: str) -> dict[str, Any]:
    """Fetch and ``JSON.parse`` the given same-origin paths in a fresh page."""
    page = context.new_page()
    try:
        page.goto(base + f"{FILES_ROUTE}/blank.html")
        got: dict[str, Any] = page.evaluate(
            _PARSE_JSON, {"urls": [base + p for p in paths], "kind": kind})
    finally:
        page.close()
    return got


def measure_size(p: Any, chromium: Path, base: str, *, rows: int, geojson: dict[str, Any],
                 json_limit: int, repeat: int, pan_runs: int, pan_seconds: float,
                 min_renders: int, pan_max_seconds: float, views: dict[str, float | None],
                 log: Callable[[str], None]) -> dict[str, Any]:
    """(a), (b) and the in-page baselines of (c), ``repeat`` times in one browser."""
    browser = _launch(p, chromium)
    version = browser.version
    loads: list[dict[str, Any]] = []
    views_out: dict[str, dict[str, Any]] = {
        name: {"runs": [], "settle_ms": [], "layers": None, "zoom": None}
        for name in views}
    geo_runs: list[dict[str, Any]] = []
    api_runs: list[dict[str, Any]] = []
    floor: list[float] = []
    geo_paths = [f"{FILES_ROUTE}/{name}" for name in geojson["files"]]
    try:
        for rep in range(repeat):
            context = browser.new_context(viewport=VIEWPORT)
            try:
                page = context.new_page()
                load = load_dashboard(page, base)
                loads.append(load)
                log(f"  run {rep + 1}: data ready {load['ready_ms']:.0f} ms")
                for name, zoom in (views.items() if rep < pan_runs else ()):
                    view = views_out[name]
                    if zoom is None:  # the opening view, as the page drew it
                        settled = {"settleMs": None, "layers": page.evaluate(
                            "window.vw.layers()"), "zoom": page.evaluate(
                            "window.vw.viewState().zoom")}
                    else:
                        settled = page.evaluate(_SET_VIEW, {"zoom": zoom})
                        view["settle_ms"].append(settled["settleMs"])
                    view["layers"] = [layer["id"] for layer in settled["layers"]]
                    view["zoom"] = settled["zoom"]
                    view["runs"].append(pan(page, pan_seconds, min_renders, pan_max_seconds))
                    summary_now = _frame_summary(view["runs"][-1:])
                    log(f"  run {rep + 1}: pan {name}: {summary_now['map_renders']} map renders "
                        f"in {summary_now['wall_s']:.1f} s; first frame after the zoom "
                        f"{_num(settled['settleMs'])} ms")
            finally:
                context.close()
            context = browser.new_context(viewport=VIEWPORT)
            try:
                geo_runs.append(parse_in_page(context, base, geo_paths, "geojson"))
                api_runs.append(parse_in_page(
                    context, base, [f"api/positions?limit={json_limit}"], "json"))
                floor += gl_floor(context, base, rows, 3)
            finally:
                context.close()
            log(f"  run {rep + 1}: GeoJSON fetch + parse {geo_runs[-1]['totalMs']:.0f} ms, "
                f"JSON API {api_runs[-1]['totalMs']:.0f} ms")
    finally:
        browser.close()

    def summary(runs: list[dict[str, Any]], keys: list[str]) -> dict[str, Any]:
        return {k: _stats([r[k] for r in runs if r.get(k) is not None]) for k in keys}

    load_keys = ["ready_ms", "arrow_request_start_ms", "arrow_server_wait_ms",
                 "arrow_download_ms", "arrow_fetch_ms", "arrow_buffer_wait_ms",
                 "decode_prepare_ms", "first_draw_ms", "arrow_fetch_decode_ms", "heap_mb",
                 "map_loaded_ms"]
    base_keys = ["totalMs", "fetchMs", "parseMs", "heapMB"]
    return {
        "chromium": version,
        "renderer": loads[0]["renderer"] if loads else None,
        "load": {"runs": loads, "summary": summary(loads, load_keys)},
        "pan": {name: {"zoom": v["zoom"], "layers": v["layers"],
                       "settle_ms": _stats(v["settle_ms"]),
                       **_frame_summary(v["runs"]), "runs": v["runs"]}
                for name, v in views_out.items() if v["runs"]},
        "geojson_in_page": {"runs": geo_runs, "summary": summary(geo_runs, base_keys)},
        "json_api_in_page": {"runs": api_runs, "summary": summary(api_runs, base_keys)},
        "webgl_floor_ms": {**_stats(floor), "runs": floor},
    }


# ---------------------------------------------------------------- one size, the report

def bench_size(p: Any, chromium: Path, work: Path, size: int, args: argparse.Namespace,
               log: Callable[[str], None]) -> dict[str, Any]:
    import pyarrow as pa

    before = _loadavg()
    prepared = prepare_store(work, size, args.seed)
    store = Path(prepared["store"])
    log(f"{size:,} wanted: store {store.name} ({'reused' if prepared['reused'] else 'made'})")
    files = work / "files"
    with server(store, files) as base:
        _, _, info_body = http_get(base + "api/info")
        info = json.loads(info_body)
        _, _, app_js = http_get(base + "static/app.js")  # which front-end build was measured
        front_end = {"app_js_sha256": hashlib.sha256(app_js).hexdigest()[:16],
                     "app_js_bytes": len(app_js)}
        server_arrow = time_server(base + "api/positions.arrow", args.repeat)
        _, _, arrow_body = http_get(base + "api/positions.arrow")
        schema = pa.ipc.open_stream(arrow_body).schema
        meta = {k.decode(): v.decode() for k, v in (schema.metadata or {}).items()}
        rows = int(meta.get("rows", "0"))
        geojson = write_geojson(arrow_body, files, args.geojson_part)
        del arrow_body
        json_limit = max(1, min(rows, JSON_API_MAX))
        server_json = time_server(base + f"api/positions?limit={json_limit}", args.repeat)
        server_geojson = time_server(base + f"{FILES_ROUTE}/{geojson['files'][0]}", 1)
        log(f"  {rows:,} positions; Arrow {server_arrow['bytes'] / 1e6:.1f} MB, GeoJSON "
            f"{geojson['bytes'] / 1e6:.1f} MB in {len(geojson['files'])} file(s)")
        browser = measure_size(p, chromium, base, rows=rows, geojson=geojson,
                               json_limit=json_limit, repeat=args.repeat, pan_runs=args.pan_runs,
                               pan_seconds=args.pan_seconds, min_renders=args.min_renders,
                               pan_max_seconds=args.pan_max_seconds, views=args.views,
                               log=log)
    load = browser["load"]["summary"]
    geo = browser["geojson_in_page"]["summary"]
    ratios = {}
    if load["ready_ms"]["median"] and geo["totalMs"]["median"]:
        ratios["geojson_parse_over_arrow_ready"] = (geo["totalMs"]["median"]
                                                    / load["ready_ms"]["median"])
    if load["arrow_fetch_decode_ms"]["median"] and geo["totalMs"]["median"]:
        ratios["geojson_parse_over_arrow_fetch_decode"] = (
            geo["totalMs"]["median"] / load["arrow_fetch_decode_ms"]["median"])
    return {
        "requested": size, "vessels": prepared["vessels"], "store": str(store),
        "prepared": {k: prepared[k] for k in ("timings", "reused")},
        "info": {k: info.get(k) for k in ("positions", "vessels", "events", "bbox")},
        "rows": rows, "rows_total": int(meta.get("rows_total", "0")),
        "thinned": meta.get("thinned"),
        "server": {"positions_arrow": server_arrow, "positions_json": server_json,
                   "geojson_file": server_geojson},
        "geojson": geojson, "json_api_limit": json_limit, "front_end": front_end,
        **browser, "ratios": ratios,
        "load_average": {"before": before, "after": _loadavg()},
    }


def _ms(stat: dict[str, float | None], unit: str = "ms") -> str:
    if stat.get("median") is None:
        return "-"
    return f"{stat['median']:,.0f} {unit} (min {stat['min']:,.0f})"


def _num(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def report(result: dict[str, Any]) -> str:
    lines = [f"dashboard benchmark: {result['machine']['cpus']} cores, "
             f"{result['machine']['platform']}; Chromium {result['chromium']}, WebGL on the "
             f"CPU ({result['renderer']})"]
    for s in result["sizes"]:
        load, pan_views = s["load"]["summary"], s["pan"]
        geo, api = s["geojson_in_page"]["summary"], s["json_api_in_page"]["summary"]
        sa, sj = s["server"]["positions_arrow"], s["server"]["positions_json"]
        first_geo = s["geojson_in_page"]["runs"][0] if s["geojson_in_page"]["runs"] else {}
        first_api = s["json_api_in_page"]["runs"][0] if s["json_api_in_page"]["runs"] else {}
        lines += [
            "",
            f"== {s['rows']:,} positions, {s['vessels']} vessels, {s['info']['events']} events "
            f"(store {Path(s['store']).name}, app.js {s['front_end']['app_js_sha256']}); "
            f"{len(s['load']['runs'])} runs, median (min); "
            f"load average {s['load_average']['before']} -> {s['load_average']['after']}",
            f"{'figure':<44} value",
            f"{'data ready (navigation -> vw-data-ready)':<44} {_ms(load['ready_ms'])}",
            f"{'  positions.arrow request starts at':<44} {_ms(load['arrow_request_start_ms'])}",
            f"{'  server wait (request -> first byte)':<44} {_ms(load['arrow_server_wait_ms'])}",
            f"{'  download':<44} {_ms(load['arrow_download_ms'])} "
            f"({(s['load']['runs'][0].get('arrow_transfer_bytes') or 0) / 1e6:.1f} MB)",
            f"{'  response end -> ArrayBuffer in hand':<44} {_ms(load['arrow_buffer_wait_ms'])}",
            f"{'  Arrow decode + prepare':<44} {_ms(load['decode_prepare_ms'])}",
            f"{'  first draw (CPU WebGL)':<44} {_ms(load['first_draw_ms'])}",
            f"{'  request start -> decoded':<44} {_ms(load['arrow_fetch_decode_ms'])}",
            f"{'JS heap after ready':<44} {_ms(load['heap_mb'], 'MB')}",
        ]
        for name, v in pan_views.items():
            drawn = "+".join(i for i in v["layers"] or [] if i in POSITION_LAYERS)
            label = f"pan {name} (zoom {v['zoom'] or 0:.1f}: {drawn})"
            lines.append(
                f"{label:<44} {_num(v['effective_frame_ms'])} ms a drawn frame, "
                f"{_num(v['effective_fps'], 2)} fps ({v['map_renders']} map redraws in "
                f"{v['seconds']:.1f} s of dragging + {_num(v['gpu_backlog_ms_max'])} ms the GPU "
                f"still needed); animation frames {_num(v['frame_ms_median'])} ms median, "
                f"{_num(v['frame_ms_p95'])} ms p95 ({_num(v['fps'], 1)}/s)"
                + (f"; first frame after the zoom {_ms(v['settle_ms'])}"
                   if v["settle_ms"]["median"] is not None else "") + "  [CPU rendering]")
        lines += [
            f"{'baseline GeoJSON fetch + JSON.parse':<44} {_ms(geo['totalMs'])} "
            f"= fetch {_ms(geo['fetchMs'])} + parse {_ms(geo['parseMs'])}; "
            f"{first_geo.get('count', 0):,} features, {s['geojson']['bytes'] / 1e6:.0f} MB in "
            f"{len(s['geojson']['files'])} file(s), heap {_ms(geo['heapMB'], 'MB')}",
            f"{'baseline JSON API fetch + JSON.parse':<44} {_ms(api['totalMs'])} "
            f"({first_api.get('count', 0):,} items, limit {s['json_api_limit']:,})",
            f"{'baseline bare WebGL2 points, same count':<44} {_ms(s['webgl_floor_ms'])} a frame "
            "(the CPU renderer's floor)",
            f"{'server: positions.arrow headers / body':<44} {_ms(sa['headers_ms'])} / "
            f"{_ms(sa['total_ms'])}, {sa['bytes'] / 1e6:.1f} MB",
            f"{'server: /api/positions JSON headers / body':<44} {_ms(sj['headers_ms'])} / "
            f"{_ms(sj['total_ms'])}, {sj['bytes'] / 1e6:.1f} MB",
        ]
        r = s["ratios"]
        if r:
            lines.append(
                f"ratio GeoJSON fetch+parse / Arrow data ready: "
                f"{r.get('geojson_parse_over_arrow_ready', 0):.2f}x; / Arrow request -> "
                f"decoded: {r.get('geojson_parse_over_arrow_fetch_decode', 0):.2f}x")
        ready = load["ready_ms"]["median"]
        if ready is not None and 900_000 <= s["rows"] <= 1_100_000:
            lines.append(f"target (data ready within 2 s for 1M positions): "
                         f"{'met' if ready <= 2000 else 'not met'} ({ready / 1e3:.2f} s)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--serve-child"]:
        return _serve_child(argv[1], argv[2])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000000,5000000",
                    help="positions wanted, comma separated (default 1000000,5000000)")
    ap.add_argument("--work", type=Path,
                    default=Path(tempfile.gettempdir()) / "vw-dashboard-bench",
                    help="tracks, stores and GeoJSON files, kept for later runs")
    ap.add_argument("--repeat", type=int, default=3, help="runs per size (default 3)")
    ap.add_argument("--pan-seconds", type=float, default=3.0,
                    help="drag time per view and run (default 3)")
    ap.add_argument("--views", default=",".join(VIEWS),
                    help=f"views to pan, of {', '.join(VIEWS)} (default all)")
    ap.add_argument("--pan-runs", type=int, default=None,
                    help="pan in the first N runs only (default: every run)")
    ap.add_argument("--min-renders", type=int, default=3,
                    help="keep dragging past --pan-seconds until the map rendered this many "
                    "frames (default 3) ...")
    ap.add_argument("--pan-max-seconds", type=float, default=60.0,
                    help="... or this long (default 60)")
    ap.add_argument("--geojson-part", type=int, default=1_000_000,
                    help="features per GeoJSON file (0: one file)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--chromium", type=Path, default=CHROMIUM,
                    help="the system Chromium (never downloaded)")
    ap.add_argument("--json", type=Path, help="write the figures here")
    args = ap.parse_args(argv)
    unknown = set(args.views.split(",")) - set(VIEWS)
    if unknown:
        ap.error(f"unknown views {sorted(unknown)}; choose from {', '.join(VIEWS)}")
    args.views = {name: VIEWS[name] for name in args.views.split(",")}
    if args.pan_runs is None:
        args.pan_runs = args.repeat
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if not args.chromium.exists():
        raise SystemExit(f"no Chromium at {args.chromium}: install the distribution's "
                         "chromium package (this benchmark never downloads a browser)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise SystemExit("needs the playwright package: pip install playwright "
                         "(its browsers are not needed)") from None

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    import pyarrow

    result: dict[str, Any] = {
        "command": "python bench/dashboard.py " + " ".join(argv),
        "started": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": f"{platform.system()} {platform.machine()}",
                    "pyarrow": pyarrow.__version__},
        "browser_args": CHROMIUM_ARGS, "viewport": VIEWPORT, "pan_seconds": args.pan_seconds,
        "views": args.views, "sizes": [],
    }
    with sync_playwright() as p:
        for size in sizes:
            result["sizes"].append(bench_size(p, args.chromium, args.work, size, args, log))
    result["chromium"] = result["sizes"][0]["chromium"] if result["sizes"] else None
    result["renderer"] = result["sizes"][0]["renderer"] if result["sizes"] else None
    result["finished"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
