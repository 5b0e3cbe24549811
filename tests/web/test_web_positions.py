"""``/api/positions.arrow``, its JSON twin and ``/api/timeline`` against the engine's own
positions and events on the demo store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from fastapi.testclient import TestClient

from vesselwatch.engine import Engine
from web_store import arrow_of

ANGARA, MARIA = 273310100, 273310200


def engine_rows(store: Path, **query: object) -> pa.Table:
    """The engine's positions for the same query, rows without a position left out."""
    table = Engine(store, create=False).positions(**query)  # type: ignore[arg-type]
    return table.filter(pc.and_(pc.is_valid(table["lat"]), pc.is_valid(table["lon"])))


def get_arrow(client: TestClient, url: str) -> pa.Table:
    r = client.get(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/vnd.apache.arrow.stream"
    return arrow_of(r.content)


def test_the_stream_is_one_batch_of_the_contract_columns(client: TestClient) -> None:
    import pyarrow.ipc as ipc

    r = client.get("/api/positions.arrow")
    reader = ipc.open_stream(r.content)
    batches = list(reader)
    assert len(batches) == 1
    schema = reader.schema
    assert [(f.name, str(f.type)) for f in schema] == [
        ("mmsi", "uint32"), ("t", "uint32"),
        ("position", "fixed_size_list<item: float not null>[2]"),
        ("sog", "float"), ("cog", "float")]
    assert all(batches[0].column(i).null_count == 0 for i in range(5))
    meta = {k.decode(): v.decode() for k, v in schema.metadata.items()}
    assert set(meta) == {"rows_total", "rows", "thinned", "t_min", "t_max"}


def test_every_position_comes_as_float32_sorted_by_vessel_and_time(
        client: TestClient, demo_store: Path) -> None:
    table = get_arrow(client, "/api/positions.arrow")
    want = engine_rows(demo_store)
    assert table.num_rows == want.num_rows > 10_000
    meta = table.schema.metadata
    assert meta[b"rows_total"] == meta[b"rows"] == str(want.num_rows).encode()
    assert meta[b"thinned"] == b"0"
    mmsi = table["mmsi"].to_numpy()
    t = table["t"].to_numpy().astype(np.int64)
    assert np.all((np.diff(mmsi.astype(np.int64)) > 0) | ((np.diff(mmsi.astype(np.int64)) == 0)
                                                          & (np.diff(t) >= 0)))
    assert np.array_equal(mmsi, want["mmsi"].to_numpy())
    assert np.array_equal(t, want["ts"].cast(pa.int64()).to_numpy() // 1_000_000)
    xy = table["position"].combine_chunks().flatten().to_numpy().reshape(-1, 2)
    assert np.array_equal(xy[:, 0], want["lon"].to_numpy().astype(np.float32))
    assert np.array_equal(xy[:, 1], want["lat"].to_numpy().astype(np.float32))
    assert int(meta[b"t_min"]) == t.min() and int(meta[b"t_max"]) == t.max()


def test_unknown_speed_and_course_are_nan(client: TestClient, demo_store: Path) -> None:
    table = get_arrow(client, "/api/positions.arrow")
    want = engine_rows(demo_store)
    for ours, theirs in (("sog", "sog_kn"), ("cog", "cog_deg")):
        got = table[ours].to_numpy()
        missing = want[theirs].is_null().to_numpy(zero_copy_only=False)
        assert np.array_equal(np.isnan(got), missing)
        assert np.array_equal(got[~missing],
                              want[theirs].drop_null().to_numpy().astype(np.float32))
    assert np.isnan(table["cog"].to_numpy()).any()  # the demo has unknown courses


def test_vessel_and_time_filters_match_the_engine(client: TestClient, demo_store: Path) -> None:
    url = (f"/api/positions.arrow?mmsi={ANGARA}&mmsi={MARIA}"
           "&start=2023-09-07T10:00:00Z&end=2023-09-08")
    table = get_arrow(client, url)
    want = engine_rows(demo_store, mmsi=[ANGARA, MARIA],
                       start=datetime(2023, 9, 7, 10, tzinfo=UTC),
                       end=datetime(2023, 9, 8, tzinfo=UTC))
    assert set(table["mmsi"].to_pylist()) == {ANGARA, MARIA}
    assert table.num_rows == want.num_rows > 100
    t = table["t"].to_numpy()
    assert t.min() >= datetime(2023, 9, 7, 10, tzinfo=UTC).timestamp()
    assert t.max() < datetime(2023, 9, 8, tzinfo=UTC).timestamp()  # the end is excluded


@pytest.mark.parametrize("bbox", [(130.0, 42.0, 131.0, 43.0), (132.0, 35.0, 130.0, 45.0)])
def test_bbox_keeps_exactly_the_positions_inside(client: TestClient, demo_store: Path,
                                                 bbox: tuple[float, ...]) -> None:
    min_lon, min_lat, max_lon, max_lat = bbox
    table = get_arrow(client, "/api/positions.arrow?bbox=" + ",".join(map(str, bbox)))
    every = engine_rows(demo_store)
    lon, lat = every["lon"].to_numpy(), every["lat"].to_numpy()
    in_lon = (lon >= min_lon) & (lon <= max_lon) if min_lon <= max_lon else \
        (lon >= min_lon) | (lon <= max_lon)  # the second box crosses the antimeridian
    inside = in_lon & (lat >= min_lat) & (lat <= max_lat)
    assert 0 < table.num_rows == int(inside.sum()) < every.num_rows
    assert np.array_equal(table["mmsi"].to_numpy(), every["mmsi"].to_numpy()[inside])
    assert table.schema.metadata[b"rows_total"] == str(int(inside.sum())).encode()


def test_thinning_keeps_every_vessel_and_respects_the_limit(client: TestClient) -> None:
    full = get_arrow(client, "/api/positions.arrow")
    vessels = set(full["mmsi"].to_pylist())
    limit = 500
    thin = get_arrow(client, f"/api/positions.arrow?limit={limit}")
    meta = thin.schema.metadata
    assert len(vessels) < thin.num_rows <= limit
    assert meta[b"thinned"] == b"1" and meta[b"rows"] == str(thin.num_rows).encode()
    assert meta[b"rows_total"] == str(full.num_rows).encode()
    assert set(thin["mmsi"].to_pylist()) == vessels
    # each vessel keeps its first and last report whenever it keeps two or more
    for m in vessels:
        mine = full.filter(pc.equal(full["mmsi"], m))["t"].to_pylist()
        kept = thin.filter(pc.equal(thin["mmsi"], m))["t"].to_pylist()
        assert kept == sorted(kept) and set(kept) <= set(mine)
        assert kept[-1] == mine[-1]
        if len(kept) > 1:
            assert kept[0] == mine[0]


def test_a_limit_below_the_vessel_count_sends_each_vessels_last_position(
        client: TestClient) -> None:
    full = get_arrow(client, "/api/positions.arrow")
    one = get_arrow(client, "/api/positions.arrow?limit=1")
    last = {m: t for m, t in zip(full["mmsi"].to_pylist(), full["t"].to_pylist())}
    assert dict(zip(one["mmsi"].to_pylist(), one["t"].to_pylist())) == last


def test_the_json_twin_has_the_same_rows(client: TestClient) -> None:
    url = f"mmsi={ANGARA}&start=2023-09-07T10:00:00Z&end=2023-09-07T12:00:00Z"
    table = get_arrow(client, f"/api/positions.arrow?{url}")
    data = client.get(f"/api/positions?{url}").json()
    assert data["total"] == table.num_rows == len(data["items"]) > 5
    assert data["thinned"] is False
    first = data["items"][0]
    assert set(first) == {"mmsi", "ts", "lon", "lat", "sog", "cog"}
    assert first["ts"] == datetime.fromtimestamp(table["t"][0].as_py(), UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    xy = table["position"].combine_chunks().flatten().to_numpy().reshape(-1, 2)
    assert np.allclose([i["lon"] for i in data["items"]], xy[:, 0], atol=1e-5)
    assert np.allclose([i["lat"] for i in data["items"]], xy[:, 1], atol=1e-5)
    thin = client.get(f"/api/positions?{url}&limit=3").json()
    assert len(thin["items"]) == 3 and thin["total"] == table.num_rows and thin["thinned"]


def test_timeline_bins_add_up_to_the_positions_and_events(client: TestClient,
                                                          demo_store: Path) -> None:
    start, end = "2023-09-07T06:00:00Z", "2023-09-08T18:00:00Z"
    data = client.get(f"/api/timeline?bins=48&start={start}&end={end}").json()
    assert data["start"] == start and data["end"] == end and data["bin_s"] == 36 * 3600 // 48
    assert len(data["positions"]) == 48
    total = get_arrow(client, f"/api/positions.arrow?start={start}&end={end}").num_rows
    assert sum(data["positions"]) == total
    t0 = datetime(2023, 9, 7, 6, tzinfo=UTC)
    t1 = datetime(2023, 9, 8, 18, tzinfo=UTC)
    events = Engine(demo_store, create=False).events().to_pylist()
    for kind, counts in data["events"].items():
        starts = [e["start_ts"] for e in events if e["event_type"] == kind
                  and t0 <= e["start_ts"] < t1]
        assert sum(counts) == len(starts), kind
        for s in starts:  # each in the bin of its start
            assert counts[int((s - t0).total_seconds() // data["bin_s"])] > 0


def test_timeline_defaults_to_the_span_of_the_data(client: TestClient) -> None:
    info = client.get("/api/info").json()
    data = client.get(f"/api/timeline?bins=10&mmsi={ANGARA}").json()
    assert data["start"] == info["ts_min"]
    assert sum(data["positions"]) == get_arrow(
        client, f"/api/positions.arrow?mmsi={ANGARA}").num_rows
    assert data["bin_s"] * 10 >= (datetime.fromisoformat(data["end"])
                                  - datetime.fromisoformat(data["start"])).total_seconds()


@pytest.mark.parametrize(("url", "says"), [
    ("/api/positions.arrow?bbox=1,2,3", "not four numbers"),
    ("/api/positions.arrow?bbox=0,50,10,40", "latitudes"),
    ("/api/positions.arrow?start=yesterday", "not an ISO 8601 time"),
    ("/api/positions.arrow?start=2023-09-08&end=2023-09-07", "not after start"),
    ("/api/positions.arrow?mmsi=1234567890", "at most 9 digits"),
    ("/api/positions.arrow?limit=0", "'limit'"),
    ("/api/timeline?bins=0", "'bins'"),
])
def test_bad_parameters_are_400_with_a_reason(client: TestClient, url: str, says: str) -> None:
    r = client.get(url)
    assert r.status_code == 400
    assert says in r.json()["error"]


def test_the_first_load_is_built_at_start_up_and_follows_the_store(store_copy: Path,
                                                                   tmp_path: Path) -> None:
    import time

    from vesselwatch.web.api_positions import map_stream_key
    from vesselwatch.web.app import create_app

    app = create_app(store_copy)
    board = app.state.dashboard
    assert map_stream_key() not in board.cache
    with TestClient(app, base_url="http://127.0.0.1") as c:  # start-up builds the stream
        waited = 0.0
        while map_stream_key() not in board.cache and waited < 60:
            time.sleep(0.05)
            waited += 0.05
        assert map_stream_key() in board.cache
        before = get_arrow(c, "/api/positions.arrow")
        assert before.num_rows == engine_rows(store_copy).num_rows
        # an ingest by anyone (here the engine, as the CLI would) moves the store on: the
        # next load has the new vessel's two positions
        extra = tmp_path / "extra.csv"
        extra.write_text("MMSI,BaseDateTime,LAT,LON\n"
                         "123456789,2023-09-07T12:00:00,41.0,131.0\n"
                         "123456789,2023-09-07T12:10:00,41.1,131.1\n")
        Engine(store_copy).ingest([extra])
        after = get_arrow(c, "/api/positions.arrow")
        assert after.num_rows == before.num_rows + 2
        # the cached stream is byte for byte what the uncached path builds
        fresh = c.get("/api/positions.arrow", params={"start": "1970-01-01T00:00:00Z"})
        assert c.get("/api/positions.arrow").content == fresh.content
