"""The compiled decoder applies exactly the shared rules of ``ingest.validate``.

For raw field values across their whole bit range, a type 1 report either becomes a
position whose values are the canonical ones with "not available" as null, or a reject
with the reason ``validate.problem_codes`` gives for those values.
"""

from __future__ import annotations

import io
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from vesselwatch.ingest import validate
from vesselwatch.ingest.nmea import read_nmea
from vesselwatch.ingest.nmea.encode import PositionReport, sentences

raw_lat = st.one_of(st.integers(-54_000_000, 54_000_000), st.just(91 * 600_000),
                    st.integers(54_000_001, 2**26 - 1), st.integers(-(2**26), -54_000_001))
raw_lon = st.one_of(st.integers(-108_000_000, 108_000_000), st.just(181 * 600_000),
                    st.integers(108_000_001, 2**27 - 1))


@settings(max_examples=300, deadline=None)
@given(lat=raw_lat, lon=raw_lon, sog=st.integers(0, 1023), cog=st.integers(0, 4095),
       heading=st.integers(0, 511))
def test_kernel_rules_equal_validate(lat: int, lon: int, sog: int, cog: int, heading: int) -> None:
    report = PositionReport(273_000_001, lat / 600_000, lon / 600_000, sog / 10, cog / 10,
                            heading, nav_status=0)
    line = sentences(report, epoch_s=1_700_000_000)[0]
    batch = next(read_nmea(io.BytesIO((line + "\n").encode()), "t"))

    def na(value: float, sentinel: float) -> float:
        return math.nan if abs(value - sentinel) < 1e-9 else value

    canonical = {
        "lat": na(((10 * lat + 3) // 6) / 1e6, 91.0),
        "lon": na(((10 * lon + 3) // 6) / 1e6, 181.0),
        "sog_kn": na(sog / 10, 102.3),
        "cog_deg": na(cog / 10, 360.0),
        "heading_deg": na(float(heading), 511.0),
        "nav_status": 0.0,
    }
    code = int(validate.problem_codes({k: np.array([v]) for k, v in canonical.items()})[0])
    if code:
        assert batch.positions.num_rows == 0
        assert batch.rejects.column("reason").to_pylist() == [validate.PROBLEMS[code]]
        return
    assert batch.rejects.num_rows == 0
    row = batch.positions.to_pylist()[0]
    for name, value in canonical.items():
        got = row[name]
        if math.isnan(value):
            assert got is None, name
        else:
            assert got is not None and abs(got - value) < 1e-4, (name, got, value)
