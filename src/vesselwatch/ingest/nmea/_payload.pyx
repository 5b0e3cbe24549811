# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The AIS message hot loop, compiled: every message of a buffer in one pass, straight into
the buffers of the Arrow columns of its positions and vessel reports.

- ``decode_messages(lines, ...)``: for each message (each single-sentence AIS line, and
  the multi-sentence messages ``assemble.reassemble`` put together), in line order: the
  payload (hash, 6-bit values: ``_bits.pxd``), the bound ``$PGHP`` and the clocks, the
  station, the verdict (skip, reject or keep), the fields (``_rules.pxd``), and the row of
  each table it belongs to (``_rows.pxd``): values, dictionary indices, and a validity bit
  per column that become the columns' bitmaps and null counts at the end;
- ``mmsi_issue_codes(...)``: the compiled twin of ``model.mmsi.mmsi_issue_codes``.

Bit layouts: ITU-R M.1371-5, and the gpsd AIVDM notes.
"""

import numpy as np

cimport numpy as cnp
from libc.stdint cimport int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t
from libc.stdlib cimport calloc, free, malloc
from libc.string cimport memcmp, memcpy

from vesselwatch.ingest.nmea._bits cimport (
    PACK_CHARS,
    VW_FNV_OFFSET,
    VW_FNV_PRIME,
    Bits,
    ubits,
    vw_armour_init,
    vw_payload,
)
from vesselwatch.ingest.nmea._line cimport Line
from vesselwatch.ingest.nmea._rows cimport (
    CALLSIGN_CHARS,
    DESTINATION_CHARS,
    NAME_CHARS,
    P_NBITMAPS,
    R_NBITMAPS,
    Message,
    Position,
    PositionColumns,
    Rejects,
    ReportColumns,
    decode_position,
    put_position,
    put_reject,
    put_report,
    vw_bitmaps,
)
from vesselwatch.ingest.nmea._rules cimport eta_years_init, issue_code
from vesselwatch.ingest.nmea._lines import LINE

cnp.import_array()
vw_armour_init()

# why the kernel quarantines a message (names of model.schema.RejectReason), in its order
VERDICTS = ["bad_payload", "unknown_msg_type", "truncated_payload", "bad_value",
            "no_timestamp", "bad_time", "bad_mmsi"]
DEF V_BAD_PAYLOAD = 0
DEF V_UNKNOWN_TYPE = 1
DEF V_TRUNCATED = 2
DEF V_BAD_VALUE = 3
DEF V_NO_TIMESTAMP = 4
DEF V_BAD_TIME = 5
DEF V_BAD_MMSI = 6

# the columns of the type table ``types`` (one row per message type 0..63, decode.py)
DEF T_MIN_BITS = 0  # a shorter payload is truncated
DEF T_FLAGS = 1  # 1: decoded, 2: a position, 4: a vessel report
DEF T_CLASS = 2  # ais_class: 0 "A", 1 "B", -1 none

# the columns with a validity bitmap, in the order of their bits (_rows.pxd); the bitmap
# of position_accuracy holds its values
POSITION_BITMAPS = ["received_ts", "lat", "lon", "sog_kn", "cog_deg", "heading_deg",
                    "rot_deg_min", "nav_status", "position_accuracy", "ais_class",
                    "mmsi_issue", "station", "channel"]
REPORT_BITMAPS = ["received_ts", "part", "ais_class", "mmsi_issue", "imo", "name", "callsign",
                  "ship_type", "to_bow_m", "to_stern_m", "to_port_m", "to_starboard_m",
                  "length_m", "width_m", "draught_m", "destination", "eta", "station"]


cdef inline uint8_t* _data(object a):
    return <uint8_t*>cnp.PyArray_DATA(<cnp.ndarray>a)


# ---- station dictionary: distinct station texts in order of first appearance
cdef struct Stations:
    const uint8_t* buf
    int64_t* slots  # 1 + entry index, 0 empty; ``mask + 1`` of them
    int64_t mask
    int64_t n
    int64_t* a  # entry ranges in ``buf``
    int64_t* b


cdef inline uint64_t hash_bytes(const uint8_t* p, int64_t n) noexcept nogil:
    cdef uint64_t h = VW_FNV_OFFSET
    cdef int64_t j
    for j in range(n):
        h = (h ^ p[j]) * VW_FNV_PRIME
    return h


cdef int64_t station_index(Stations* st, int64_t a, int64_t b) noexcept nogil:
    """The dictionary index of the text ``buf[a:b]`` (not empty; added if new), -2 when out
    of memory."""
    cdef int64_t n = b - a, i, e, j
    cdef int64_t* grown
    i = <int64_t>(hash_bytes(st.buf + a, n) & <uint64_t>st.mask)
    while st.slots[i]:
        e = st.slots[i] - 1
        if st.b[e] - st.a[e] == n and memcmp(st.buf + st.a[e], st.buf + a, n) == 0:
            return e
        i = (i + 1) & st.mask
    if 2 * (st.n + 1) > st.mask + 1:  # grow the table, then insert again
        grown = <int64_t*>calloc(2 * (st.mask + 1), sizeof(int64_t))
        if grown == NULL:
            return -2
        for j in range(st.n):
            i = <int64_t>(hash_bytes(st.buf + st.a[j], st.b[j] - st.a[j])
                          & <uint64_t>(2 * st.mask + 1))
            while grown[i]:
                i = (i + 1) & (2 * st.mask + 1)
            grown[i] = j + 1
        free(st.slots)
        st.slots = grown
        st.mask = 2 * st.mask + 1
        return station_index(st, a, b)
    st.slots[i] = st.n + 1
    st.a[st.n] = a
    st.b[st.n] = b
    st.n += 1
    return st.n - 1

cdef dict position_columns(int64_t cap, uint32_t* valid, PositionColumns* c):
    """Room for ``cap`` rows: the value arrays (pointers in ``c``)."""
    values = {
        "mmsi": np.empty(cap, np.uint32), "ts": np.empty(cap, np.int64),
        "ts_source": np.empty(cap, np.int32), "received_ts": np.empty(cap, np.int64),
        "lat": np.empty(cap, np.float64), "lon": np.empty(cap, np.float64),
        "sog_kn": np.empty(cap, np.float32), "cog_deg": np.empty(cap, np.float32),
        "heading_deg": np.empty(cap, np.uint16), "rot_deg_min": np.empty(cap, np.float32),
        "nav_status": np.empty(cap, np.uint8), "msg_type": np.empty(cap, np.uint8),
        "ais_class": np.empty(cap, np.int32), "mmsi_issue": np.empty(cap, np.int32),
        "station": np.empty(cap, np.int32), "channel": np.empty(cap, np.int32),
        "source_line": np.empty(cap, np.int64), "msg_hash": np.empty(cap, np.uint64),
    }
    c.rows = 0
    c.valid = valid
    c.mmsi = <uint32_t*>_data(values["mmsi"])
    c.ts = <int64_t*>_data(values["ts"])
    c.src = <int32_t*>_data(values["ts_source"])
    c.recv = <int64_t*>_data(values["received_ts"])
    c.lat = <double*>_data(values["lat"])
    c.lon = <double*>_data(values["lon"])
    c.sog = <float*>_data(values["sog_kn"])
    c.cog = <float*>_data(values["cog_deg"])
    c.heading = <uint16_t*>_data(values["heading_deg"])
    c.rot = <float*>_data(values["rot_deg_min"])
    c.nav = _data(values["nav_status"])
    c.msg_type = _data(values["msg_type"])
    c.cls = <int32_t*>_data(values["ais_class"])
    c.issue = <int32_t*>_data(values["mmsi_issue"])
    c.station = <int32_t*>_data(values["station"])
    c.channel = <int32_t*>_data(values["channel"])
    c.line = <int64_t*>_data(values["source_line"])
    c.hash = <uint64_t*>_data(values["msg_hash"])
    return values


cdef dict report_columns(int64_t cap, uint32_t* valid, ReportColumns* c):
    """Room for ``cap`` rows: the value arrays (pointers in ``c``)."""
    values = {
        "mmsi": np.empty(cap, np.uint32), "ts": np.empty(cap, np.int64),
        "ts_source": np.empty(cap, np.int32), "received_ts": np.empty(cap, np.int64),
        "msg_type": np.empty(cap, np.uint8), "part": np.empty(cap, np.uint8),
        "ais_class": np.empty(cap, np.int32), "mmsi_issue": np.empty(cap, np.int32),
        "imo": np.empty(cap, np.uint32), "ship_type": np.empty(cap, np.uint8),
        "dims": np.empty((4, cap), np.uint16), "length_m": np.empty(cap, np.float32),
        "width_m": np.empty(cap, np.float32), "draught_m": np.empty(cap, np.float32),
        "eta": np.empty(cap, np.int64), "station": np.empty(cap, np.int32),
        "source_line": np.empty(cap, np.int64), "msg_hash": np.empty(cap, np.uint64),
        "name_offsets": np.zeros(cap + 1, np.int32),
        "name_data": np.empty(cap * NAME_CHARS, np.uint8),
        "callsign_offsets": np.zeros(cap + 1, np.int32),
        "callsign_data": np.empty(cap * CALLSIGN_CHARS, np.uint8),
        "destination_offsets": np.zeros(cap + 1, np.int32),
        "destination_data": np.empty(cap * DESTINATION_CHARS, np.uint8),
    }
    c.rows = 0
    c.valid = valid
    c.cap = cap
    c.mmsi = <uint32_t*>_data(values["mmsi"])
    c.ts = <int64_t*>_data(values["ts"])
    c.src = <int32_t*>_data(values["ts_source"])
    c.recv = <int64_t*>_data(values["received_ts"])
    c.msg_type = _data(values["msg_type"])
    c.part = _data(values["part"])
    c.cls = <int32_t*>_data(values["ais_class"])
    c.issue = <int32_t*>_data(values["mmsi_issue"])
    c.imo = <uint32_t*>_data(values["imo"])
    c.ship_type = _data(values["ship_type"])
    c.dims = <uint16_t*>_data(values["dims"])
    c.length = <float*>_data(values["length_m"])
    c.width = <float*>_data(values["width_m"])
    c.draught = <float*>_data(values["draught_m"])
    c.eta = <int64_t*>_data(values["eta"])
    c.station = <int32_t*>_data(values["station"])
    c.line = <int64_t*>_data(values["source_line"])
    c.hash = <uint64_t*>_data(values["msg_hash"])
    c.name_offsets = <int32_t*>_data(values["name_offsets"])
    c.name = _data(values["name_data"])
    c.name_used = 0
    c.callsign_offsets = <int32_t*>_data(values["callsign_offsets"])
    c.callsign = _data(values["callsign_data"])
    c.callsign_used = 0
    c.destination_offsets = <int32_t*>_data(values["destination_offsets"])
    c.destination = _data(values["destination_data"])
    c.destination_used = 0
    eta_years_init(&c.eta_years)
    return values


cdef dict reject_columns(int64_t cap, Rejects* c):
    values = {name: np.empty(cap, np.int64) for name in ("line", "multi", "code")}
    c.n = 0
    c.line = <int64_t*>_data(values["line"])
    c.multi = <int64_t*>_data(values["multi"])
    c.code = <int64_t*>_data(values["code"])
    return values


def decode_messages(lines, const int64_t[::1] numbers, const int64_t[::1] multi_first,
                    const int64_t[::1] multi_parts, const int64_t[::1] multi_nparts,
                    int64_t reference_us, int lookback, const int16_t[:, ::1] types,
                    int64_t ts_min, int64_t ts_max, const uint8_t[::1] allocated,
                    const uint8_t[:, ::1] allowed):
    """Decode every message of ``lines`` (a ``framing.Lines``): see the module docstring.

    ``multi_*``: the multi-sentence messages in order of their first line, with their
    parts' lines; ``numbers``: the input line number of each line. A ``$PGHP`` binds to the
    nearest message within ``lookback`` input lines after it whose checksum (the XOR of its
    parts' checksums) equals the ``$PGHP``'s last field (00 binds an own-ship VDO on the
    next line). Clocks: tag block, bound ``$PGHP``, trailing time, ``reference_us``; the
    next one present is the received time. ``types``: per message type its minimum bits,
    flags and class (see ``T_*``). Times outside [``ts_min``, ``ts_max``) are ``bad_time``.

    Returns a dict: the rows of each table (``positions``, ``reports``: values, ``*_rows``,
    ``*_valid`` bitmaps and ``*_valid_count``), ``stations`` (the dictionary's ranges in
    the buffer), the rejects (verdicts in message order; ``problems``, positions out of
    range) and the counts of skipped messages.
    """
    cdef const uint8_t[::1] buf = lines.buf
    records = lines.records
    if records.dtype != LINE or not records.flags.c_contiguous:
        raise ValueError("lines.records must be contiguous _lines.LINE records")
    cdef const Line* L = <const Line*>cnp.PyArray_DATA(<cnp.ndarray>records)
    cdef const int64_t[::1] single = lines.single
    cdef int64_t nsingle = single.shape[0]
    cdef int64_t nmulti = multi_first.shape[0]
    cdef int64_t cap = nsingle + nmulti + 1
    cdef int64_t nbytes = (cap + 7) // 8
    cdef int nkinds = allowed.shape[1], ntypes = allowed.shape[0] - 1
    cdef const uint8_t* allowed_p = &allowed[0, 0]
    cdef const uint8_t* allocated_p = &allocated[0]
    cdef const uint8_t* base = &buf[0] if buf.shape[0] > 0 else NULL

    # the rows of each table: values, then the validity bit per column per row
    valid_bits = np.zeros((2, cap + 8), np.uint32)
    cdef PositionColumns pos
    cdef ReportColumns rep
    position_values = position_columns(cap, <uint32_t*>_data(valid_bits), &pos)
    report_values = report_columns(cap, <uint32_t*>_data(valid_bits) + cap + 8, &rep)
    position_valid = np.zeros((P_NBITMAPS, nbytes), np.uint8)
    position_count = np.zeros(P_NBITMAPS, np.int64)
    report_valid = np.zeros((R_NBITMAPS, nbytes), np.uint8)
    report_count = np.zeros(R_NBITMAPS, np.int64)
    cdef uint8_t* position_bitmaps = _data(position_valid)
    cdef uint8_t* report_bitmaps = _data(report_valid)
    cdef int64_t* position_nonnull = <int64_t*>_data(position_count)
    cdef int64_t* report_nonnull = <int64_t*>_data(report_count)
    cdef Rejects verdicts, problems
    verdict_values = reject_columns(cap, &verdicts)
    problem_values = reject_columns(cap, &problems)

    cdef Stations st
    st.buf = base
    st.mask = 255
    st.n = 0
    st.slots = <int64_t*>calloc(st.mask + 1, sizeof(int64_t))
    st.a = <int64_t*>calloc(cap, sizeof(int64_t))
    st.b = <int64_t*>calloc(cap, sizeof(int64_t))
    # a multi-sentence payload, joined: at most 9 parts, each shorter than a line
    cdef uint8_t* joined = <uint8_t*>malloc(9 * 1024)
    if st.slots == NULL or st.a == NULL or st.b == NULL or joined == NULL:
        free(st.slots)
        free(st.a)
        free(st.b)
        free(joined)
        raise MemoryError()

    cdef Bits bits
    cdef Message msg
    cdef Position p
    cdef int64_t si = 0, mi = 0, part_at = 0, nparts, pi, q, first, last, nch, j, d
    cdef int64_t nempty = 0, nother = 0, cs, bound, cand, gap, target, verdict, flags, problem
    cdef int64_t clock[4]
    cdef int bad
    cdef bint out_of_memory = False
    try:
        with nogil:
            while si < nsingle or mi < nmulti:  # the messages, in line order
                if mi < nmulti and (si >= nsingle or multi_first[mi] < single[si]):
                    first = multi_first[mi]
                    nparts = multi_nparts[mi]
                    pi = mi
                    mi += 1
                else:
                    first = single[si]
                    nparts = 1
                    pi = -1
                    si += 1
                # ---- the payload: its hash, its 6-bit values, its checksum
                if pi < 0:
                    last = first
                    cs = L[first].checksum
                    nch = L[first].pay_len
                    bad = vw_payload(base + L[first].pay_start, nch, PACK_CHARS, bits.w,
                                     &msg.hash)
                else:  # the parts, joined
                    last = multi_parts[part_at + nparts - 1]
                    cs = 0
                    nch = 0
                    for j in range(nparts):
                        q = multi_parts[part_at + j]
                        cs ^= L[q].checksum
                        memcpy(joined + nch, base + L[q].pay_start, L[q].pay_len)
                        nch += L[q].pay_len
                    part_at += nparts
                    bad = vw_payload(joined, nch, PACK_CHARS, bits.w, &msg.hash)
                msg.nbits = nch * 6 - L[last].fill
                # ---- the nearest $PGHP within ``lookback`` input lines before part 1 whose
                # checksum field is the message's checksum; 00 binds an own-ship VDO on the
                # next line
                bound = -1
                for d in range(1, lookback + 1):
                    cand = first - d
                    if cand < 0:
                        break
                    gap = numbers[first] - numbers[cand]
                    if gap > lookback:
                        break
                    if L[cand].kind != 2:
                        continue
                    target = L[cand].pghp_target
                    if target == cs or (gap == 1 and L[first].own == 1 and target == 0):
                        bound = cand
                        break
                # ---- clocks: the first present is the time, the next one the received time
                clock[0] = L[first].tag_ts
                clock[1] = L[bound].pghp_ts if bound >= 0 else -1
                clock[2] = L[first].trailing_ts
                clock[3] = reference_us
                msg.ts = -1
                msg.src = -1
                msg.recv = -1
                for j in range(4):
                    if clock[j] >= 0:
                        if msg.ts < 0:
                            msg.ts = clock[j]
                            msg.src = j
                        elif msg.recv < 0 and j < 3:
                            msg.recv = clock[j]
                # ---- the station: the tag block's, else the bound $PGHP's (every message
                # goes into the dictionary, kept or not)
                if L[first].station_end > L[first].station_start:
                    msg.station = station_index(&st, L[first].station_start,
                                                L[first].station_end)
                elif bound >= 0 and L[bound].pghp_station_end > L[bound].pghp_station_start:
                    msg.station = station_index(&st, L[bound].pghp_station_start,
                                                L[bound].pghp_station_end)
                else:
                    msg.station = -1
                if msg.station == -2:
                    out_of_memory = True
                    break
                # ---- the verdict: skip, reject, or keep
                if nch == 0:
                    nempty += 1
                    continue
                verdict = -1
                if bad:
                    verdict = V_BAD_PAYLOAD
                else:
                    msg.t = <int64_t>ubits(&bits, 0, 6)
                    msg.mmsi = <int64_t>ubits(&bits, 8, 30)
                    flags = types[msg.t, T_FLAGS]
                    if msg.t == 0 or msg.t > 27:
                        verdict = V_UNKNOWN_TYPE
                    elif not (flags & 1):
                        nother += 1
                        continue
                    elif msg.nbits < types[msg.t, T_MIN_BITS]:
                        verdict = V_TRUNCATED
                    elif msg.t == 24 and ubits(&bits, 38, 2) > 1:  # parts A and B only
                        verdict = V_BAD_VALUE
                    elif msg.ts < 0:
                        verdict = V_NO_TIMESTAMP
                    elif msg.ts < ts_min or msg.ts >= ts_max:
                        verdict = V_BAD_TIME
                    elif msg.mmsi > 999999999:
                        verdict = V_BAD_MMSI
                if verdict >= 0:
                    put_reject(&verdicts, first, pi, verdict)
                    continue
                msg.cls = types[msg.t, T_CLASS]
                msg.issue = issue_code(msg.mmsi, msg.t, allocated_p, allowed_p, nkinds,
                                       ntypes) - 1
                msg.line = numbers[first]
                msg.channel = L[first].channel
                # ---- the rows (type 19 gives one of each)
                if flags & 2:
                    problem = decode_position(&bits, msg.t, &p)
                    if problem:
                        put_reject(&problems, first, pi, problem)
                    else:
                        put_position(&pos, &msg, &p)
                if flags & 4:
                    put_report(&rep, &msg, &bits)
            vw_bitmaps(pos.valid, pos.rows, P_NBITMAPS, position_bitmaps, nbytes,
                       position_nonnull)
            vw_bitmaps(rep.valid, rep.rows, R_NBITMAPS, report_bitmaps, nbytes, report_nonnull)
        if out_of_memory:
            raise MemoryError()
        stations = np.empty((2, st.n), np.int64)
        for j in range(st.n):
            stations[0, j] = st.a[j]
            stations[1, j] = st.b[j]
    finally:
        free(st.slots)
        free(st.a)
        free(st.b)
        free(joined)
    return {
        "positions": position_values, "position_rows": pos.rows,
        "position_valid": position_valid, "position_valid_count": position_count,
        "reports": report_values, "report_rows": rep.rows, "report_valid": report_valid,
        "report_valid_count": report_count,
        "text_bytes": {"name": rep.name_used, "callsign": rep.callsign_used,
                       "destination": rep.destination_used},
        "verdicts": verdict_values, "verdict_rows": verdicts.n,
        "problems": problem_values, "problem_rows": problems.n,
        "empty_payload": nempty, "other_msg_type": nother, "stations": stations,
    }


def mmsi_issue_codes(const int64_t[::1] mmsi, const int64_t[::1] msg_type,
                     const uint8_t[::1] allocated, const uint8_t[:, ::1] allowed):
    """The compiled twin of ``model.mmsi.mmsi_issue_codes`` (ITU-R M.585), one pass.

    0 none, 1 unallocated MID, 2 wrong kind for the message type, 3 placeholder identity.
    """
    cdef int64_t n = mmsi.shape[0], i
    out_a = np.zeros(n, np.int8)
    cdef cnp.int8_t[::1] out = out_a
    cdef int nkinds = allowed.shape[1], ntypes = allowed.shape[0] - 1
    with nogil:
        for i in range(n):
            out[i] = issue_code(mmsi[i], msg_type[i], &allocated[0], &allowed[0, 0], nkinds,
                                ntypes)
    return out_a
