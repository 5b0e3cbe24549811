"""Opening inputs whatever their wrapping, and telling their format from the first bytes."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vesselwatch.errors import (
    InputError,
    SchemaVersionError,
    StoreError,
    StoreLockedError,
    StrictModeError,
    VesselwatchError,
)
from vesselwatch.ingest.sources import Utf8Stream, open_input, sniff_format

DATA = Path(__file__).parent / "data"
NMEA_LINE = b"!AIVDM,1,1,,A,13RlIW?04F1beOVEFLB9bRvH0L0L,0*6C\n"


def _gz(tmp_path: Path, name: str, content: bytes) -> Path:
    p = tmp_path / f"{name}.gz"
    p.write_bytes(gzip.compress(content))
    return p


def _zip(tmp_path: Path, name: str, members: dict[str, bytes]) -> Path:
    p = tmp_path / f"{name}.zip"
    with zipfile.ZipFile(p, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for member, content in members.items():
            zf.writestr(member, content)
    return p


# -- open_input ---------------------------------------------------------------------------


def test_plain_gz_and_zip_give_the_same_bytes(tmp_path: Path) -> None:
    content = (DATA / "dma_sample.csv").read_bytes()
    plain = tmp_path / "x.csv"
    plain.write_bytes(content)
    for p in (plain, _gz(tmp_path, "x.csv", content), _zip(tmp_path, "x", {"x.csv": content})):
        with open_input(p) as stream:
            assert stream.read() == content, p


def test_compression_is_told_by_content_not_name(tmp_path: Path) -> None:
    p = tmp_path / "misnamed.csv"  # gzip data under a plain name
    p.write_bytes(gzip.compress(b"hello\n"))
    with open_input(p) as stream:
        assert stream.read() == b"hello\n"


def test_zip_skips_folders_and_macos_litter(tmp_path: Path) -> None:
    p = _zip(
        tmp_path,
        "x",
        {
            "data/": b"",
            "__MACOSX/data/._a.csv": b"junk",
            "data/.DS_Store": b"junk",
            "data/a.csv": b"A\n",
        },
    )
    with open_input(p) as stream:
        assert stream.read() == b"A\n"


def test_zip_with_several_files_names_them(tmp_path: Path) -> None:
    p = _zip(tmp_path, "two", {"a.csv": b"1", "b.csv": b"2"})
    with pytest.raises(InputError, match=r"holds 2 files \(a\.csv, b\.csv\).*one by one") as err:
        open_input(p)
    assert str(p) in str(err.value)
    assert "\n" not in str(err.value)


def test_zip_without_a_file_is_an_input_error(tmp_path: Path) -> None:
    p = _zip(tmp_path, "onlydir", {"d/": b""})
    with pytest.raises(InputError, match="holds no file"):
        open_input(p)


def test_missing_file_and_folder_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        open_input(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="is a folder"):
        open_input(tmp_path)


def test_damaged_zip_is_an_input_error(tmp_path: Path) -> None:
    p = tmp_path / "bad.zip"
    p.write_bytes(b"PK\x03\x04" + b"\x00" * 20)
    with pytest.raises(InputError, match="damaged zip"):
        open_input(p)


# -- Utf8Stream ----------------------------------------------------------------------------


def test_utf8_stream_replaces_bad_bytes_and_drops_bom() -> None:
    raw = "\ufeffNAME,Ø\n".encode() + b"BAD\xff\xfeX\n"
    out = Utf8Stream(io.BytesIO(raw)).read()
    assert out == "NAME,Ø\nBAD\ufffd\ufffdX\n".encode()
    assert out.decode("utf-8")  # always valid


def test_utf8_stream_keeps_characters_split_across_reads() -> None:
    raw = "ÆØÅ æøå €".encode()
    stream = Utf8Stream(io.BytesIO(raw), chunk_bytes=1)
    assert io.BufferedReader(stream).read() == raw
    assert stream.bytes_read == len(raw)


# -- sniff_format --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO", "noaa"),
        ("BaseDateTime,LON,LAT,MMSI,SOG,COG,Heading,VesselName,IMO,TranscieverClass,ETA", "noaa"),
        ("trajectory_id,point_index,MMSI,BaseDateTime,LON,LAT", "noaa"),
        ("mmsi,basedatetime,lat,lon", "noaa"),
        ("# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status", "dma"),
        ("!AIVDM,1,1,,A,13RlIW?04F1beOVEFLB9bRvH0L0L,0*6C", "nmea"),
        ("$PGHP,1,2010,6,11,11,46,11,390,231,45,992190934,1,2B*5B", "nmea"),
        ("\\s:2573345,c:1617235200*0B\\!AIVDM,1,1,,A,13RlIW?04F1beOVEFLB9bRvH0L0L,0*6C", "nmea"),
    ],
)
def test_sniff_recognises_headers(tmp_path: Path, header: str, expected: str) -> None:
    p = tmp_path / "f.txt"
    p.write_text("\n" + header + "\nmore,lines\n")  # a leading blank line is ignored
    assert sniff_format(p) == expected


def test_sniff_reads_through_gzip_and_zip(tmp_path: Path) -> None:
    content = (DATA / "dma_sample.csv").read_bytes()
    assert sniff_format(_gz(tmp_path, "d.csv", content)) == "dma"
    assert sniff_format(_zip(tmp_path, "n", {"n.nmea": NMEA_LINE * 3})) == "nmea"


def test_sniff_reads_only_the_head(tmp_path: Path) -> None:
    p = tmp_path / "big.nmea"
    p.write_bytes(NMEA_LINE + b"\xff" * 10_000_000)  # garbage after the first lines
    assert sniff_format(p) == "nmea"


def test_sniff_parquet(tmp_path: Path) -> None:
    p = tmp_path / "p.parquet"
    pq.write_table(pa.table({"mmsi": [1]}), p)
    assert sniff_format(p) == "parquet"
    with pytest.raises(InputError, match="compressed Parquet"):
        sniff_format(_gz(tmp_path, "p.parquet", p.read_bytes()))


def test_sniff_unknown_layout_says_what_was_found_and_expected(tmp_path: Path) -> None:
    p = tmp_path / "odd.csv"
    p.write_text("ship,when,y,x\n1,2,3,4\n")
    with pytest.raises(InputError) as err:
        sniff_format(p)
    msg = str(err.value)
    assert str(p) in msg and "'ship,when,y,x'" in msg
    assert "NOAA" in msg and "DMA" in msg and "NMEA" in msg and "Parquet" in msg
    assert "profile" in msg and "\n" not in msg


def test_sniff_empty_and_blank_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        sniff_format(empty)
    blank = tmp_path / "blank.csv"
    blank.write_bytes(b"\n  \n\n")
    with pytest.raises(InputError, match="only blank lines"):
        sniff_format(blank)
    with pytest.raises(InputError, match="no such file"):
        sniff_format(tmp_path / "missing.csv")


@pytest.mark.realdata
def test_sniff_real_files(data_dir: Path) -> None:
    tracks = data_dir / "ais_tracks_marinecadastre_tracktable"
    assert sniff_format(data_dir / "ais_csv_noaa_aisdb" / "test_data_noaa_20230101.csv") == "noaa"
    assert sniff_format(tracks / "NYHarbor_2020_06_30_first_hour.csv") == "noaa"
    assert sniff_format(tracks / "US_coastal_2020_06_30.csv") == "noaa"
    for nmea in (
        "ais_nmea_amsa_risky/ais.nmea",
        "ais_nmea_amsa_risky/exact-earth-augmented.txt",
        "ais_nmea_dma_aislib/stream_example.txt",
        "ais_nmea_pyais/nmea_data_sample.txt",
    ):
        assert sniff_format(data_dir / nmea) == "nmea", nmea
    with pytest.raises(InputError):
        sniff_format(data_dir / "ports_nga_wpi" / "UpdatedPub150.csv")


# -- errors --------------------------------------------------------------------------------


def test_error_family() -> None:
    assert issubclass(InputError, VesselwatchError)
    assert issubclass(StrictModeError, VesselwatchError)
    assert issubclass(StoreLockedError, StoreError)
    assert issubclass(SchemaVersionError, StoreError)
    assert issubclass(StoreError, VesselwatchError)
    assert not issubclass(InputError, StoreError)


def test_strict_mode_error_carries_the_line() -> None:
    err = StrictModeError("f.csv", 7, "bad_time", "32/12/2023,x\r\n" + "y" * 500, "# Timestamp")
    assert (err.path, err.line, err.reason) == ("f.csv", 7, "bad_time")
    assert err.raw.startswith("32/12/2023")
    msg = str(err)
    assert msg.startswith("f.csv, line 7: bad_time (# Timestamp): '32/12/2023,x\\r\\nyyy")
    assert "\n" not in msg and "--strict" in msg and len(msg) < 300
