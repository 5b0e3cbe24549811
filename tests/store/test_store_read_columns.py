"""Reading some columns, and the positions inside a bounding box: the same rows, in the
same order, as reading everything and filtering afterwards."""

from __future__ import annotations

import pyarrow.compute as pc
import pytest
from storekit import crash_dataset, ingest, ts_of

from vesselwatch.errors import StoreError
from vesselwatch.store import Store


def test_only_the_columns_asked_for_come_back_in_the_same_order(store: Store) -> None:
    ingest(store, crash_dataset())
    every = store.positions()
    some = store.positions(columns=["lat", "mmsi"])
    assert some.column_names == ["lat", "mmsi"]
    assert some.equals(every.select(["lat", "mmsi"]))
    window = store.positions(mmsi=[200_000_003, 200_000_011], start=ts_of(3600),
                             end=ts_of(30 * 3600), columns=["ts"])
    full = store.positions(mmsi=[200_000_003, 200_000_011], start=ts_of(3600),
                           end=ts_of(30 * 3600))
    assert window.num_rows == full.num_rows > 0 and window["ts"].equals(full["ts"])
    assert store.positions(start=ts_of(10), end=ts_of(5), columns=["mmsi"]).column_names \
        == ["mmsi"]
    with pytest.raises(StoreError, match="no column 'speed'"):
        store.positions(columns=["speed"])


@pytest.mark.parametrize("bbox", [(10.0, 50.05, 11.0, 50.1), (11.0, 50.05, 10.6, 50.1),
                                  (11.0, 50.05, 10.4, 50.1)])
def test_a_bbox_keeps_the_positions_inside_it(store: Store,
                                              bbox: tuple[float, float, float, float]) -> None:
    ingest(store, crash_dataset())  # every position at lon 10.5, lat 50.001 .. 50.160
    every = store.positions()
    min_lon, min_lat, max_lon, max_lat = bbox
    in_lon = (min_lon <= 10.5 <= max_lon) if min_lon <= max_lon else \
        (10.5 >= min_lon or 10.5 <= max_lon)  # the last two cross the antimeridian
    lat = every["lat"]
    inside = pc.and_(pc.greater_equal(lat, min_lat), pc.less_equal(lat, max_lat))
    want = every.filter(inside) if in_lon else every.slice(0, 0)
    got = store.positions(bbox=bbox)
    assert got.equals(want)
    assert (got.num_rows > 0) == in_lon
