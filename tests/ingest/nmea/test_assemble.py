"""Joining multi-sentence messages, and binding each message to its clocks.

The two type 5 messages come from the DMA stream (``ais_nmea_dma_aislib``): PASSAAT at its
lines 15-17 and SOERLANDET at its lines 2069-2071, both as printed there. Their fields are
the ones the DMA's AisLib and pyais print for them.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from nmeakit import REFERENCE_US, Result, checksum_of, pghp, read, sentence, tag_block

# DMA lines 15-17, verbatim: the $PGHP names 72, the parts' checksums are 65 and 17
DMA_15_17 = [
    "$PGHP,1,2010,6,11,11,46,11,929,244,0,,1,72*21",
    "!AIVDM,2,1,1,,53cMa3@000010WSW?V105=<45B2222222222220t388151:9e2UiDm851DTh,0*65",
    "!AIVDM,2,2,1,,j1C32CQp888,2*17",
]
PASSAAT = ("53cMa3@000010WSW?V105=<45B2222222222220t388151:9e2UiDm851DTh", "j1C32CQp888")
SOERLANDET = ("53m@6j01AIR4hAAV221<tE8h4p@EB2222222220T6P<445Uj0;DjhAiC`888", "88888888880")
TYPE1 = "15M67FC000G?ufbE`FepT@3n00Sa"  # MMSI 366053209


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def run(*lines: str, **kwargs: object) -> Result:
    return read("\n".join(lines).encode() + b"\n", **kwargs)  # type: ignore[arg-type]


def parts(payloads: tuple[str, str], seq: str = "1", channel: str = "A", talker: str = "AI"
          ) -> list[str]:
    return [sentence(payloads[0], total=2, num=1, seq=seq, channel=channel, talker=talker),
            sentence(payloads[1], total=2, num=2, seq=seq, channel=channel, talker=talker, fill=2)]


def names(r: Result) -> list[tuple[int, str]]:
    return list(zip(r.vessel_reports.column("source_line").to_pylist(),
                    r.vessel_reports.column("name").to_pylist(), strict=True))


def reasons(r: Result) -> list[tuple[int, str]]:
    return sorted(r.rejects_by_line().items())


# ---- the DMA example, worked through by hand ----------------------------------------------


def test_dma_lines_15_to_17_pghp_binds_by_the_xor_of_the_parts_checksums() -> None:
    assert 0x65 ^ 0x17 == 0x72
    r = run(*DMA_15_17, reference_us=None)
    assert r.rejects.num_rows == 0
    assert (r.parts_joined, r.skipped) == (1, {"time_sentence": 1})
    row = r.vessel_reports.to_pylist()[0]
    assert row["ts"] == utc(2010, 6, 11, 11, 46, 11, 929000)
    assert row["ts_source"] == "pghp"
    assert row["source_line"] == 2
    assert row["station"] is None  # the $PGHP names no station (its 11th field is empty)
    expected = {
        "mmsi": 246901005, "msg_type": 5, "imo": None, "name": "PASSAAT", "callsign": "PI8939",
        "ship_type": 60, "to_bow_m": 25, "to_stern_m": 8, "to_port_m": 1, "to_starboard_m": 5,
        "length_m": 33.0, "width_m": 6.0, "draught_m": 1.0, "destination": "WEST TERSCHELLING",
        # ETA 04-20 09:45, no year: the 20 April nearest the report (2010-06-11) is 2010's
        "eta": utc(2010, 4, 20, 9, 45),
    }
    assert {k: row[k] for k in expected} == expected


def test_pghp_naming_only_part_1_does_not_bind() -> None:
    r = run(pghp(2010, 6, 11, 11, 46, 11, 929, "65"), *DMA_15_17[1:], reference_us=None)
    assert reasons(r) == [(2, "no_timestamp")]


def test_a_pghp_that_names_00_binds_a_message_whose_parts_xor_to_00() -> None:
    # DMA lines 2069-2071: parts 37 and 37
    r = run("$PGHP,1,2010,6,11,11,46,18,720,219,,2190074,1,00*2B",
            "!BSVDM,2,1,9,B,53m@6j01AIR4hAAV221<tE8h4p@EB2222222220T6P<445Uj0;DjhAiC`888,0*37",
            "!BSVDM,2,2,9,B,88888888880,2*37", reference_us=None)
    row = r.vessel_reports.to_pylist()[0]
    assert (row["name"], row["ts"], row["station"]) == (
        "SOERLANDET", utc(2010, 6, 11, 11, 46, 18, 720000), "2190074")


def test_three_part_message_binds_by_the_xor_of_three_checksums() -> None:
    payload = PASSAAT[0] + PASSAAT[1]
    thirds = [payload[:25], payload[25:50], payload[50:]]
    lines = [sentence(p, total=3, num=i + 1, seq="4", fill=2 if i == 2 else 0)
             for i, p in enumerate(thirds)]
    target = format(int(checksum_of(lines[0]), 16) ^ int(checksum_of(lines[1]), 16)
                    ^ int(checksum_of(lines[2]), 16), "02X")
    r = run(pghp(2010, 6, 11, 11, 46, 11, 929, target), *lines, reference_us=None)
    assert r.parts_joined == 2
    assert r.vessel_reports.column("name").to_pylist() == ["PASSAAT"]
    assert r.vessel_reports.column("ts_source").to_pylist() == ["pghp"]


# ---- which parts belong together ---------------------------------------------------------


def test_other_sentences_between_the_parts() -> None:
    a1, a2 = parts(PASSAAT)
    r = run(a1, sentence(TYPE1), "$GPZDA,114702.51,27,01,2012,,*66", "", a2)
    assert names(r) == [(1, "PASSAAT")]
    assert r.positions.column("source_line").to_pylist() == [2]
    assert r.parts_joined == 1
    assert r.accounted() == r.lines == 5


def test_interleaved_messages_are_told_apart_by_sequence_id() -> None:
    a1, a2 = parts(PASSAAT, seq="1")
    b1, b2 = parts(SOERLANDET, seq="2")
    r = run(a1, b1, a2, b2)
    assert names(r) == [(1, "PASSAAT"), (2, "SOERLANDET")]


def test_interleaved_messages_are_told_apart_by_channel() -> None:
    a1, a2 = parts(PASSAAT, seq="1", channel="A")
    b1, b2 = parts(SOERLANDET, seq="1", channel="B")
    r = run(a1, b1, b2, a2)
    assert names(r) == [(1, "PASSAAT"), (2, "SOERLANDET")]


def test_tag_block_groups_join_what_sequence_ids_cannot() -> None:
    # both messages use the same (empty) sequence id and channel: only g: tells them apart
    a1, a2 = parts(PASSAAT, seq="")
    b1, b2 = parts(SOERLANDET, seq="")
    r = run(tag_block(g="1-2-101", c="1276256771") + a1,
            tag_block(g="1-2-102", c="1276256772") + b1,
            tag_block(g="2-2-101") + a2,
            "!AIVDM,1,1,,B,,0*25",
            tag_block(g="2-2-102") + b2)
    assert names(r) == [(1, "PASSAAT"), (2, "SOERLANDET")]
    assert r.vessel_reports.column("ts").to_pylist() == [utc(2010, 6, 11, 11, 46, 11),
                                                        utc(2010, 6, 11, 11, 46, 12)]
    assert r.rejects.num_rows == 0


def test_tag_block_stations_keep_two_receivers_apart() -> None:
    a1, a2 = parts(PASSAAT, seq="3")
    b1, b2 = parts(SOERLANDET, seq="3")
    r = run(tag_block(s="north") + a1, tag_block(s="south") + b1,
            tag_block(s="south") + b2, tag_block(s="north") + a2)
    assert names(r) == [(1, "PASSAAT"), (2, "SOERLANDET")]
    assert r.vessel_reports.column("station").to_pylist() == ["north", "south"]


def test_any_talker_in_a_multi_part_message() -> None:
    r = run(*parts(SOERLANDET, talker="BY"))
    assert names(r) == [(1, "SOERLANDET")]


# ---- fragments that never complete ---------------------------------------------------------


def test_part_2_alone_is_an_orphan_fragment() -> None:
    _, a2 = parts(PASSAAT)
    r = run(sentence(TYPE1), a2)
    assert reasons(r) == [(2, "orphan_fragment")]
    assert r.rejects.column("raw").to_pylist() == [a2]


def test_part_1_alone_at_the_end_is_an_orphan_fragment() -> None:
    a1, _ = parts(PASSAAT)
    r = run(a1, sentence(TYPE1))
    assert reasons(r) == [(1, "orphan_fragment")]
    assert r.positions.num_rows == 1


def test_a_reused_sequence_id_starts_a_new_message() -> None:
    # satellite feeds reuse sequence ids within seconds: the first part 1 is left alone
    a1, _ = parts(PASSAAT, seq="7")
    b1, b2 = parts(SOERLANDET, seq="7")
    r = run(a1, b1, b2)
    assert names(r) == [(2, "SOERLANDET")]
    assert reasons(r) == [(1, "orphan_fragment")]
    assert r.accounted() == r.lines == 3


def test_parts_out_of_order_are_orphans() -> None:
    a1, a2 = parts(PASSAAT)
    r = run(a2, a1)
    assert reasons(r) == [(1, "orphan_fragment"), (2, "orphan_fragment")]


def test_parts_further_apart_than_the_window_are_orphans() -> None:
    a1, a2 = parts(PASSAAT)
    filler = [sentence(TYPE1)] * 5
    assert names(run(a1, *filler, a2, window_lines=6)) == [(1, "PASSAAT")]
    r = run(a1, *filler, a2, window_lines=5)
    assert reasons(r) == [(1, "orphan_fragment"), (7, "orphan_fragment")]


# ---- clocks ------------------------------------------------------------------------------


def test_pghp_binds_within_three_lines_before_the_message() -> None:
    line = sentence(TYPE1)
    time = pghp(2010, 6, 11, 11, 46, 11, 929, checksum_of(line))
    other = "$GPZDA,114702.51,27,01,2012,,*66"
    near = run(time, other, other, line, reference_us=None)
    assert near.positions.column("ts_source").to_pylist() == ["pghp"]
    far = run(time, other, other, other, line, reference_us=None)
    assert reasons(far) == [(5, "no_timestamp")]


def test_pghp_after_the_sentence_does_not_bind() -> None:
    line = sentence(TYPE1)
    r = run(line, pghp(2010, 6, 11, 11, 46, 11, 929, checksum_of(line)), reference_us=None)
    assert reasons(r) == [(1, "no_timestamp")]


def test_pghp_with_trailing_time_gives_received_ts() -> None:
    line = sentence(TYPE1)
    r = run(pghp(2012, 1, 31, 5, 7, 2, 151, checksum_of(line)) + ",1327992119157",
            line + ",1327992119173", reference_us=None)
    row = r.positions.to_pylist()[0]
    assert (row["ts"], row["ts_source"]) == (utc(2012, 1, 31, 5, 7, 2, 151000), "pghp")
    assert row["received_ts"] == utc(2012, 1, 31, 6, 41, 59, 173000)


def test_tag_block_time_wins_over_pghp_which_becomes_received_ts() -> None:
    line = sentence(TYPE1)
    r = run(pghp(2010, 6, 11, 11, 46, 11, 929, checksum_of(line)),
            tag_block(c="1276256700") + line, reference_us=None)
    row = r.positions.to_pylist()[0]
    assert (row["ts"], row["ts_source"]) == (utc(2010, 6, 11, 11, 45), "tag_block")
    assert row["received_ts"] == utc(2010, 6, 11, 11, 46, 11, 929000)


def test_pghp_station_names_the_receiver() -> None:
    line = sentence(TYPE1)
    r = run(pghp(2010, 6, 11, 11, 46, 11, 929, checksum_of(line), station="2190064"), line)
    assert r.positions.column("station").to_pylist() == ["2190064"]


@pytest.mark.parametrize("talker", ["AI", "BS", "AB"])
def test_gatehouse_pghp_naming_00_binds_the_own_ship_vdo_right_after_it(talker: str) -> None:
    # the DMA stream writes 00 in the $PGHP before every !xxVDO (154 of them), e.g. line 26-27
    own = sentence(TYPE1, talker=talker, kind="VDO")
    assert checksum_of(own) != "00"
    r = run(pghp(2010, 6, 11, 11, 46, 12, 642, "00"), own, reference_us=None)
    assert r.positions.column("ts").to_pylist() == [utc(2010, 6, 11, 11, 46, 12, 642000)]


def test_pghp_naming_00_does_not_bind_a_vdm_with_another_checksum() -> None:
    line = sentence(TYPE1)
    r = run(pghp(2010, 6, 11, 11, 46, 12, 642, "00"), line, reference_us=None)
    assert reasons(r) == [(2, "no_timestamp")]


def test_pghp_naming_00_binds_a_vdo_only_from_the_line_right_before() -> None:
    own = sentence(TYPE1, kind="VDO")
    r = run(pghp(2010, 6, 11, 11, 46, 12, 642, "00"), "$GPZDA,114702.51,27,01,2012,,*66", own,
            reference_us=None)
    assert reasons(r) == [(3, "no_timestamp")]


def test_reference_time_only_where_no_clock() -> None:
    line = sentence(TYPE1)
    r = run(line, tag_block(c="1276256771") + line, reference_us=REFERENCE_US)
    assert r.positions.column("ts_source").to_pylist() == ["reference", "tag_block"]
    assert r.positions.column("received_ts").to_pylist() == [None, None]
