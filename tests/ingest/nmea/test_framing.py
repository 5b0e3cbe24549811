"""Taking lines apart: tag blocks, checksums, talkers, clocks, and what makes a line bad.

Payloads are published examples: ``15M67FC000G?ufbE`FepT@3n00Sa`` is the type 1 report the
gpsd AIVDM notes and pyais's README decode (MMSI 366053209, 37.802118 N, 122.341618 W, course
219.3, heading 1, status 3).
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from nmeakit import REFERENCE_US, checksum, pghp, read, sentence, tag_block

from vesselwatch.ingest.nmea.framing import AIS, EMPTY, OTHER_NMEA, PGHP, REJECT, parse
from vesselwatch.model.schema import RAW_KEEP_CHARS

TYPE1 = "15M67FC000G?ufbE`FepT@3n00Sa"
TYPE1_MMSI = 366053209
LINE = sentence(TYPE1, channel="B")  # !AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def lines_of(*lines: str | bytes) -> bytes:
    return b"".join((x.encode() if isinstance(x, str) else x) + b"\n" for x in lines)


def one_reject(data: bytes) -> dict[str, object]:
    r = read(data)
    assert r.positions.num_rows == 0
    assert r.rejects.num_rows == 1
    return r.rejects.to_pylist()[0]


def test_the_published_example_line_has_the_published_checksum() -> None:
    assert LINE == "!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C"


def test_line_kinds_in_one_pass() -> None:
    gga = "GPGGA,114702.51,,,,,0,,,,,,,,"
    data = lines_of(LINE, "", f"${gga}*{checksum(gga)}", pghp(2010, 6, 11, 11, 46, 11, 929, "5C"),
                    "garbage")
    lines = parse(np.frombuffer(data, dtype=np.uint8))
    assert lines.kind.tolist() == [AIS, EMPTY, OTHER_NMEA, PGHP, REJECT]
    assert lines.total[0] == 1 and lines.num[0] == 1 and lines.seq[0] == -1
    assert chr(lines.channel[0]) == "B"
    assert lines.checksum[0] == 0x5C
    start, length = lines.pay_start[0], lines.pay_len[0]
    assert bytes(lines.buf[start : start + length]).decode() == TYPE1


# ---- tag blocks -------------------------------------------------------------------------


def test_tag_block_time_in_seconds() -> None:
    r = read(lines_of(tag_block(c="1276256771") + LINE))
    row = r.positions.to_pylist()[0]
    assert (row["ts"], row["ts_source"]) == (utc(2010, 6, 11, 11, 46, 11), "tag_block")
    assert row["received_ts"] is None


def test_tag_block_time_in_milliseconds() -> None:
    r = read(lines_of(tag_block(c="1276256771123") + LINE))
    assert r.positions.column("ts")[0].as_py() == utc(2010, 6, 11, 11, 46, 11, 123000)


def test_tag_block_time_wins_over_the_reference_time() -> None:
    r = read(lines_of(tag_block(c="1276256771") + LINE), reference_us=REFERENCE_US)
    assert r.positions.column("ts_source").to_pylist() == ["tag_block"]


def test_tag_block_station() -> None:
    r = read(lines_of(tag_block(s="rORBCOMM000", c="1276256771") + LINE))
    assert r.positions.column("station").to_pylist() == ["rORBCOMM000"]


def test_tag_block_with_a_wrong_checksum_is_bad_tag_block() -> None:
    good = tag_block(c="1276256771")
    bad = good[:-3] + ("00" if good[-3:-1] != "00" else "01") + "\\"
    row = one_reject(lines_of(bad + LINE))
    assert row["reason"] == "bad_tag_block"
    assert row["raw"] == bad + LINE


@pytest.mark.parametrize("line", [
    "\\c:1276256771" + LINE,  # never closed
    "\\c:1276256771\\" + LINE,  # no checksum
    "\\*\\" + LINE,  # empty
])
def test_malformed_tag_block_is_bad_tag_block(line: str) -> None:
    assert one_reject(lines_of(line))["reason"] == "bad_tag_block"


def test_tag_block_time_that_is_not_a_number_is_bad_time() -> None:
    assert one_reject(lines_of(tag_block(c="12762x6771") + LINE))["reason"] == "bad_time"


# ---- sentences ----------------------------------------------------------------------------


@pytest.mark.parametrize("talker,kind", [("AI", "VDM"), ("BS", "VDM"), ("AB", "VDO"),
                                         ("SA", "VDM"), ("AI", "VDO"), ("ZZ", "VDM")])
def test_any_talker_and_vdm_or_vdo(talker: str, kind: str) -> None:
    r = read(lines_of(sentence(TYPE1, talker=talker, kind=kind)))
    assert r.positions.column("mmsi").to_pylist() == [TYPE1_MMSI]


def test_bad_checksum_keeps_the_line() -> None:
    bad = LINE[:-2] + "5D"
    row = one_reject(lines_of(bad))
    assert (row["reason"], row["source_line"], row["raw"]) == ("bad_checksum", 1, bad)


def framed(body: str, start: str = "!") -> str:
    return f"{start}{body}*{checksum(body)}"


@pytest.mark.parametrize("line", [
    LINE[:-3],  # no checksum
    LINE[:-1],  # one checksum digit
    framed(f"AIVDM,1,1,,B,{TYPE1},6"),  # fill bits above 5
    framed(f"AIVDM,1,1,,B,{TYPE1},0,extra"),  # a field too many
    framed(f"AIVDM,1,1,,B,{TYPE1}"),  # a field too few
    framed(f"AIVDM,0,1,,B,{TYPE1},0"),  # zero parts
    framed(f"AIVDM,1,2,,B,{TYPE1},0"),  # part 2 of 1
    framed(f"AIVDM,1,1,x,B,{TYPE1},0"),  # sequence id not a digit
    framed(f"AIVDM,1,1,,AB,{TYPE1},0"),  # two-letter channel
    framed(f"AIVDM,1,1,,B,{TYPE1},0", start="#"),  # no start character
])
def test_malformed_sentence_is_bad_format(line: str) -> None:
    assert one_reject(lines_of(line))["reason"] == "bad_format"


def test_lowercase_checksum_digits_are_read() -> None:
    r = read(lines_of(LINE[:-2] + LINE[-2:].lower()))
    assert r.positions.num_rows == 1


def test_crlf_line_ends_give_the_same_rows() -> None:
    lf = lines_of(LINE, tag_block(c="1276256771") + LINE, "$GPGGA,,*56", "junk")
    crlf = lf.replace(b"\n", b"\r\n")
    a, b = read(lf), read(crlf)
    assert a.positions.equals(b.positions)
    assert a.rejects.column("reason").to_pylist() == b.rejects.column("reason").to_pylist()
    assert a.skipped == b.skipped
    assert b.lines == 4


def test_surrounding_blanks_are_ignored() -> None:
    r = read(lines_of("  \t" + LINE + " \t\r"))
    assert r.positions.num_rows == 1


def test_a_line_of_100_kb_is_line_too_long_and_the_next_line_still_reads() -> None:
    long = "!AIVDM,1,1,,A," + "5" * 100_000 + ",0*00"
    r = read(lines_of(long, LINE))
    assert r.positions.column("source_line").to_pylist() == [2]
    row = r.rejects.to_pylist()[0]
    assert (row["reason"], row["source_line"], row["raw_len"]) == ("line_too_long", 1, len(long))
    assert len(row["raw"]) == RAW_KEEP_CHARS


def test_binary_noise_is_bad_format() -> None:
    noise = bytes(range(256)).replace(b"\n", b"")
    r = read(lines_of(noise, b"\x00\x00!AIVDM\x00", LINE))
    assert r.rejects.column("reason").to_pylist() == ["bad_format", "bad_format"]
    assert r.positions.column("source_line").to_pylist() == [3]


def test_other_sentences_and_empty_lines_are_counted_not_rejected() -> None:
    r = read(lines_of("$GPZDA,114702.51,27,01,2012,,*66", "", "   ",
                      "$ABVSI,Nobbys Head,7,114702,87,-70,42*79"))
    assert r.rejects.num_rows == 0
    assert r.skipped == {"non_ais_sentence": 2, "empty_line": 2}


# ---- trailing receive times ---------------------------------------------------------------


def test_trailing_time_in_milliseconds() -> None:
    r = read(lines_of(LINE + ",1327992119157"))
    row = r.positions.to_pylist()[0]
    assert (row["ts"], row["ts_source"]) == (utc(2012, 1, 31, 6, 41, 59, 157000), "trailing")


def test_trailing_time_in_seconds() -> None:
    r = read(lines_of(LINE + ",1327992119"))
    assert r.positions.column("ts")[0].as_py() == utc(2012, 1, 31, 6, 41, 59)


@pytest.mark.parametrize("extra", range(9))
def test_trailing_time_after_a_sentence_of_any_length(extra: int) -> None:
    # the sentence scan reads eight bytes at a time: a body before '*' of a multiple of 8
    # (extra = 5 here) once counted the trailing time's comma as a field and refused the line
    line = sentence(TYPE1 + "0" * extra, channel="B")
    r = read(lines_of(line + ",1327992119157"))
    assert r.rejects.num_rows == 0
    row = r.positions.to_pylist()[0]
    assert (row["mmsi"], row["ts"], row["ts_source"]) == (
        read(lines_of(LINE + ",1327992119157")).positions.to_pylist()[0]["mmsi"],
        utc(2012, 1, 31, 6, 41, 59, 157000), "trailing")


def test_tag_block_time_with_trailing_time_gives_received_ts() -> None:
    r = read(lines_of(tag_block(c="1276256771") + LINE + ",1327992119157"))
    row = r.positions.to_pylist()[0]
    assert row["ts"] == utc(2010, 6, 11, 11, 46, 11)
    assert row["received_ts"] == utc(2012, 1, 31, 6, 41, 59, 157000)


# ---- $PGHP sentences ----------------------------------------------------------------------


def test_pghp_fields() -> None:
    data = lines_of(pghp(2010, 6, 11, 11, 46, 11, 929, "72"))
    lines = parse(np.frombuffer(data, dtype=np.uint8))
    assert lines.kind.tolist() == [PGHP]
    assert lines.pghp_target[0] == 0x72
    # 2010-06-11 11:46:11.929 UTC
    assert lines.pghp_ts[0] == (1276256771 * 1000 + 929) * 1000


@pytest.mark.parametrize("date", [(2010, 2, 30), (2010, 13, 1), (1969, 12, 31)])
def test_pghp_with_an_impossible_date_is_bad_time(date: tuple[int, int, int]) -> None:
    row = one_reject(lines_of(pghp(*date, 11, 46, 11, 929, "5C")))
    assert row["reason"] == "bad_time"


def test_leap_day_pghp_is_read() -> None:
    r = read(lines_of(pghp(2012, 2, 29, 23, 59, 59, 999, "5C"), LINE), reference_us=None)
    assert r.positions.column("ts")[0].as_py() == utc(2012, 2, 29, 23, 59, 59, 999000)


# ---- the line arrays kept from one buffer to the next -------------------------------------


def test_lines_parsed_into_kept_arrays_equal_lines_parsed_afresh() -> None:
    gga = "GPGGA,114702.51,,,,,0,,,,,,,,"
    short = lines_of(LINE, "garbage")
    # more lines than the kept arrays have room for, a short last line at the buffer's end
    long = lines_of(*([tag_block(s="r1", c="1276256771") + LINE, f"${gga}*{checksum(gga)}",
                       "", pghp(2010, 6, 11, 11, 46, 11, 929, "5C")] * 400), "!")
    spare: dict[str, np.ndarray] = {}
    parse(np.frombuffer(short, dtype=np.uint8), spare)
    kept = parse(np.frombuffer(long, dtype=np.uint8), spare)
    fresh = parse(np.frombuffer(long, dtype=np.uint8))
    assert len(kept) == len(fresh) == 1601
    assert bool(np.all(kept.records == fresh.records))  # field by field (not the padding)
    for name in ("single", "multi", "rejects", "counts"):
        assert getattr(kept, name).tolist() == getattr(fresh, name).tolist()
    assert kept.counts.tolist() == [400, 400, 400, 400, 1]
    assert kept.kind[-1] == REJECT
