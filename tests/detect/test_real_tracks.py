"""Detectors on real US AIS tracks (MarineCadastre via tracktable-data): events checked by hand.

Each expected event below was checked against the raw rows of the CSV (distances to the
World Port Index point worked out row by row; the neighbouring rows of each gap read off),
not taken from vesselwatch's output. Times must match within 10 minutes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from vesselwatch.detect.config import DetectConfig
from vesselwatch.detect.gaps import detect_gaps
from vesselwatch.detect.port_visits import detect_port_visits
from vesselwatch.detect.tracks import Tracks, prepare_tracks
from vesselwatch.reference.land import default_land_mask
from vesselwatch.reference.ports import load_wpi

pytestmark = pytest.mark.realdata
TOLERANCE = timedelta(minutes=10)


def tracktable_positions(path: Path) -> pa.Table:
    """The converted tracktable CSV (trajectory_id, point_index, MMSI, BaseDateTime, LON, LAT)."""
    raw = pacsv.read_csv(path)
    ts = raw["BaseDateTime"].cast(pa.timestamp("us")).cast(pa.timestamp("us", tz="UTC"))
    return pa.table({"mmsi": raw["MMSI"].cast(pa.uint32()), "ts": ts, "lat": raw["LAT"],
                     "lon": raw["LON"], "sog_kn": pa.nulls(raw.num_rows, pa.float32())})


@pytest.fixture(scope="module")
def ny_week(data_dir: Path) -> Tracks:
    path = data_dir / "ais_tracks_marinecadastre_tracktable" / "NYHarbor_2020_12_first_week.csv"
    return prepare_tracks(tracktable_positions(path), DetectConfig(), load_wpi(),
                          default_land_mask())


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _match(events: list[dict], mmsi: int, start: str, end: str | None,
           port_id: str | None = None) -> dict:
    found = [e for e in events if e["mmsi"] == mmsi and (port_id is None or e["port_id"] == port_id)
             and abs(e["start_ts"] - _utc(start)) <= TOLERANCE]
    assert len(found) == 1, (mmsi, start, [(e["start_ts"], e["port_id"]) for e in events
                                           if e["mmsi"] == mmsi])
    e = found[0]
    if end is None:
        assert e["end_ts"] is None
    else:
        assert abs(e["end_ts"] - _utc(end)) <= TOLERANCE
    return e


def test_port_visits_checked_by_hand(ny_week: Tracks) -> None:
    visits = detect_port_visits(ny_week, DetectConfig()).to_pylist()
    # Leonardo (WPI 40.4333 N 74.0667 W, small: 3 km in, 4 km out): 2,892 m at 21:09:20
    # (3,137 m at 21:08:19); last within 4 km 15:10:09 (3,718 m), then 4,080 m
    e = _match(visits, 368150510, "2020-12-04T21:09:20", "2020-12-07T15:10:09", "USDOJ")
    assert e["confidence"] == 4
    # first seen 1,161 m from Port Reading; at 23:31:14 Port Socony is nearer (1,152 m
    # against 1,212 m): the nearest port wins, so the Port Reading visit ends at 23:30:05
    e = _match(visits, 256748000, "2020-12-02T21:29:47", "2020-12-02T23:30:05", "USPRD")
    assert e["confidence"] == 3  # no entry seen (first position in port), exit and a stop


def test_gaps_checked_by_hand(ny_week: Tracks) -> None:
    gaps = detect_gaps(ny_week, DetectConfig()).to_pylist()
    # off Weehawken: 01:23:24 (40.7713, -74.01212), next row 10:14:22 (40.77138, -74.01213)
    e = _match(gaps, 367482250, "2020-12-03T01:23:24", "2020-12-03T10:14:22")
    assert e["confidence"] <= 3  # in the harbour, not 50 nm from shore
    # every gap is at least 6 h; none starts before the data or after its end
    assert all(g["duration_s"] is None or g["duration_s"] >= 6 * 3600 for g in gaps)
    first, last = _utc("2020-12-01T04:49:00"), _utc("2020-12-07T23:30:00")
    assert all(first <= g["start_ts"] <= last for g in gaps)
