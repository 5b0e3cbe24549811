"""Observations in the store: round trips, idempotent re-imports, refusals that change nothing."""

from __future__ import annotations

import csv
import json
import re
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from observation_samples import DENIAL, NAJIN
from vesselwatch.cases.observations import observation
from vesselwatch.cases.observations import read_observations as read_file
from vesselwatch.errors import InputError, StoreError
from vesselwatch.model.observations import (
    CONTENT_COLUMNS,
    CREDIBILITY,
    KINDS,
    OBSERVATIONS,
    RELIABILITY,
)
from vesselwatch.store import Store
from vesselwatch.store.observations import (
    OBSERVATIONS_DIR,
    add_observations,
    read_observations,
    remove_observation,
)

RAIL: dict[str, Any] = {
    "kind": "rail_shipment", "ts": "2023-10-20T09:00:00Z", "end_ts": "2023-10-21T18:00:00Z",
    "place": "Tikhoretsk depot", "mmsi": 273123456, "imo": 9074729, "vessel_name": "Angara",
    "source": "US Government", "reliability": "B", "credibility": 2,
    "claim": "containers moved by rail from Dunai to a depot near Tikhoretsk",
    "url": "https://en.yna.co.kr/view/AEN20231014000400315",
}
LOCK_S = 2.0


def parquet(root: Path) -> Path:
    return root / OBSERVATIONS_DIR / "observations.parquet"


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return repr(value) if isinstance(value, float) else str(value)


def write_csv(path: Path, records: list[dict[str, Any]]) -> Path:
    names = [n for n in OBSERVATIONS.names if any(n in r for r in records)]
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(names)
        out.writerows([cell(r.get(n)) for n in names] for r in records)
    return path


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    lines = [json.dumps(r, default=lambda v: v.isoformat()) + "\n" for r in records]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def content(table: pa.Table) -> pa.Table:
    return table.drop_columns(["added_at"])


@pytest.mark.parametrize("write", [write_csv, write_jsonl], ids=["csv", "jsonl"])
def test_file_to_store_and_back(store: Store, tmp_path: Path, write: Any) -> None:
    suffix = ".csv" if write is write_csv else ".jsonl"
    table = read_file(write(tmp_path / f"obs{suffix}", [NAJIN, DENIAL, RAIL]))
    before = datetime.now(UTC)
    assert add_observations(store.path, table, LOCK_S) == 3
    back = read_observations(store.path)
    assert back.schema == OBSERVATIONS
    assert content(back).equals(content(table))
    assert all(before <= t <= datetime.now(UTC) for t in back["added_at"].to_pylist())


def test_empty_store_reads_an_empty_table(store: Store) -> None:
    table = read_observations(store.path)
    assert table.num_rows == 0 and table.schema == OBSERVATIONS


def test_reimport_is_idempotent(store: Store, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "obs.jsonl", [NAJIN, DENIAL])
    assert add_observations(store.path, read_file(path), LOCK_S) == 2
    stored = parquet(store.path).read_bytes()
    assert add_observations(store.path, read_file(path), LOCK_S) == 0
    assert parquet(store.path).read_bytes() == stored
    # a new record beside known ones: only the new one is added
    path = write_jsonl(tmp_path / "more.jsonl", [DENIAL, RAIL, RAIL])
    assert add_observations(store.path, read_file(path), LOCK_S) == 1
    assert read_observations(store.path)["kind"].to_pylist() == [
        "satellite_image", "denial", "rail_shipment"]


def test_given_added_at_is_kept(store: Store) -> None:
    when = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    add_observations(store.path, observation(**NAJIN, added_at=when), LOCK_S)
    assert read_observations(store.path)["added_at"].to_pylist() == [when]


def test_refused_import_changes_nothing(store: Store) -> None:
    add_observations(store.path, observation(**DENIAL), LOCK_S)
    stored = parquet(store.path).read_bytes()
    changed = pa.concat_tables([observation(**NAJIN),
                                observation(**{**DENIAL, "credibility": 5})])
    with pytest.raises(InputError) as info:
        add_observations(store.path, changed, LOCK_S)
    assert str(info.value) == (
        "observation 'ru-denial-1' is already stored with other content (credibility: 6, "
        "now 5); give the new one another observation_id, or remove the stored one first; "
        "nothing was added")
    assert parquet(store.path).read_bytes() == stored
    assert not list((store.path / OBSERVATIONS_DIR).glob(".*tmp"))


def test_same_id_twice_in_one_import_refused(store: Store) -> None:
    twice = pa.concat_tables([observation(**DENIAL),
                              observation(**{**DENIAL, "party": "Russian Federation"})])
    with pytest.raises(InputError, match=r"^observation 'ru-denial-1' is given twice with "
                                         r"other content \(party: 'Russia', now 'Russian "
                                         r"Federation'\);"):
        add_observations(store.path, twice, LOCK_S)
    assert not parquet(store.path).exists()


def test_remove_observation(store: Store) -> None:
    add_observations(store.path, pa.concat_tables([observation(**NAJIN),
                                                   observation(**DENIAL)]), LOCK_S)
    assert remove_observation(store.path, "ru-denial-1", LOCK_S) is True
    assert remove_observation(store.path, "ru-denial-1", LOCK_S) is False
    assert read_observations(store.path)["kind"].to_pylist() == ["satellite_image"]
    # removed, it may come back with other content
    assert add_observations(store.path, observation(**{**DENIAL, "credibility": 5}),
                            LOCK_S) == 1


def test_not_a_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="not a vesselwatch store"):
        add_observations(tmp_path, observation(**NAJIN), LOCK_S)
    assert list(tmp_path.iterdir()) == []


def test_table_of_another_shape_refused(store: Store) -> None:
    with pytest.raises(InputError, match="have no column 'observation_id'"):
        add_observations(store.path, pa.table({"kind": ["other"]}), LOCK_S)


# -- property: any valid observation survives file -> store -> read unchanged ----------------

_SPACED_LOCODE = re.compile(r"[A-Z]{2} [A-Z2-9]{3}")
TEXT = (st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30)
        .map(str.strip).filter(bool))
PLACE = TEXT.filter(lambda s: not _SPACED_LOCODE.fullmatch(s))
TIMES = st.datetimes(min_value=datetime(1980, 1, 2), max_value=datetime(2099, 12, 30),
                     timezones=st.sampled_from([UTC, timezone(timedelta(hours=3)),
                                                timezone(timedelta(hours=-9, minutes=-30))]))


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    r: dict[str, Any] = {
        "kind": draw(st.sampled_from(KINDS)), "ts": draw(TIMES), "source": draw(TEXT),
        "reliability": draw(st.sampled_from(sorted(RELIABILITY))),
        "credibility": draw(st.sampled_from(sorted(CREDIBILITY))), "claim": draw(TEXT),
    }
    if draw(st.booleans()):
        r["observation_id"] = draw(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,20}",
                                                 fullmatch=True))
    if draw(st.booleans()):
        r["end_ts"] = r["ts"] + draw(st.timedeltas(timedelta(0), timedelta(days=30)))
        if r["end_ts"] >= datetime(2100, 1, 1, tzinfo=UTC):
            del r["end_ts"]
    if draw(st.booleans()):
        r["lat"] = draw(st.floats(-90, 90))
        r["lon"] = draw(st.floats(-180, 180))
    optional = {"place": PLACE, "vessel_name": TEXT, "url": TEXT,
                "mmsi": st.integers(1, 999_999_999), "imo": st.integers(1_000_000, 9_999_999)}
    for name, values in optional.items():
        if draw(st.booleans()):
            r[name] = draw(values)
    if "lat" not in r and not {"place", "vessel_name", "mmsi", "imo"} & set(r):
        r["place"] = draw(PLACE)
    if draw(st.booleans()):
        r["party"] = draw(TEXT)
        r["interested"] = draw(st.booleans())
    return r


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=records(), as_csv=st.booleans())
def test_any_valid_observation_survives_file_store_read(record: dict[str, Any],
                                                        as_csv: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        store = Store.open(tmp / "store", n_buckets=4, lock_timeout=LOCK_S)
        write = write_csv if as_csv else write_jsonl
        table = read_file(write(tmp / ("obs.csv" if as_csv else "obs.jsonl"), [record]))
        assert add_observations(store.path, table, LOCK_S) == 1
        back = read_observations(store.path).to_pylist()
    assert len(back) == 1
    row = back[0]
    expected = {n: record.get(n) for n in CONTENT_COLUMNS}
    expected["interested"] = bool(record.get("interested"))
    assert {n: row[n] for n in CONTENT_COLUMNS} == expected
    if "observation_id" in record:
        assert row["observation_id"] == record["observation_id"]
    else:
        assert re.fullmatch(r"[0-9a-f]{16}", row["observation_id"])
