# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The AIS payload hot loop, compiled: unpack the bits of every message in one pass.

- ``decode_payloads(six, ascii, start, nchars, fill)``: the fields of every message, with
  its payload hash (FNV-1a) for the duplicate key;
- ``mmsi_issue_codes(...)``: the compiled twin of ``model.mmsi.mmsi_issue_codes``.

Bit layouts: ITU-R M.1371-5, and the gpsd AIVDM notes.
"""

import numpy as np

cimport numpy as cnp
from libc.math cimport NAN, fabs
from libc.stdint cimport int64_t, uint8_t, uint64_t

from vesselwatch.ingest.nmea._civil cimport days_from_civil

cnp.import_array()

cdef uint64_t FNV_OFFSET = 0xCBF29CE484222325ULL
cdef uint64_t FNV_PRIME = 0x100000001B3ULL
cdef int64_t US_PER_DAY = 86400000000LL


cdef inline uint64_t ubits(const uint8_t* six, int64_t st, int64_t nch, int off, int width) noexcept nogil:
    """Unsigned field of ``width`` (<= 32) bits at bit ``off``; bits past the end read 0."""
    cdef int c0 = off // 6
    cdef int c1 = (off + width - 1) // 6
    cdef uint64_t acc = 0
    cdef int c
    for c in range(c0, c1 + 1):
        acc <<= 6
        if c < nch:
            acc |= six[st + c]
    acc >>= (6 * (c1 + 1) - (off + width))
    return acc & ((<uint64_t>1 << width) - 1)


cdef inline int64_t sbits(const uint8_t* six, int64_t st, int64_t nch, int off, int width) noexcept nogil:
    cdef int64_t u = <int64_t>ubits(six, st, nch, off, width)
    cdef int64_t sign = <int64_t>1 << (width - 1)
    return (u ^ sign) - sign


cdef inline double degrees(int64_t v, int64_t per_deg_times_10) noexcept nogil:
    # v / (per_deg) rounded to 1e-6 the way pyais and gpsd print positions:
    # floor((10 * 1e6 / per_deg * v + 3) / 6) / 1e6, computed in integers
    cdef int64_t t = per_deg_times_10 * v + 3
    cdef int64_t q = t // 6
    if t % 6 != 0 and t < 0:  # C division truncates; we want floor
        q -= 1
    return q / 1e6


cdef inline float tenths(uint64_t raw, uint64_t not_available) noexcept nogil:
    # a field in tenths (speed, course); NaN for its "not available" value
    return NAN if raw == not_available else raw / 10.0


cdef inline double deg_1e4min(int64_t v) noexcept nogil:
    return degrees(v, 10)  # 1/10000 minute (1/600000 degree)


cdef inline double deg_10min(int64_t v) noexcept nogil:
    return degrees(v, 10000)  # 1/10 minute (1/600 degree), type 27


cdef inline void text(const uint8_t* six, int64_t st, int64_t nch, int64_t nbits, int off,
                      uint8_t* out, int nchars) noexcept nogil:
    # 6-bit ASCII into ``out`` (one row of a text array); '@' past the payload's end
    cdef int k
    cdef uint64_t v
    for k in range(nchars):
        if off + 6 * k + 6 > nbits:
            out[k] = 64
        else:
            v = ubits(six, st, nch, off + 6 * k, 6)
            out[k] = <uint8_t>(v + 64 if v < 32 else v)


def decode_payloads(const uint8_t[::1] six, const uint8_t[::1] ascii, const int64_t[::1] start,
                    const int64_t[::1] nchars, const int64_t[::1] fill):
    """The fields of every message; "not available" values stay in canonical units."""
    cdef int64_t n = start.shape[0]
    cdef cnp.ndarray[int64_t, ndim=1] msg_type = np.zeros(n, np.int64)
    cdef cnp.ndarray[int64_t, ndim=1] mmsi = np.zeros(n, np.int64)
    cdef cnp.ndarray[int64_t, ndim=1] nbits_a = np.zeros(n, np.int64)
    cdef cnp.ndarray[cnp.uint8_t, ndim=1] bad_chars = np.zeros(n, np.uint8)
    cdef cnp.ndarray[cnp.uint64_t, ndim=1] payload_hash = np.zeros(n, np.uint64)
    cdef cnp.ndarray[double, ndim=1] lat = np.full(n, NAN)
    cdef cnp.ndarray[double, ndim=1] lon = np.full(n, NAN)
    cdef cnp.ndarray[float, ndim=1] sog = np.full(n, NAN, np.float32)
    cdef cnp.ndarray[float, ndim=1] cog = np.full(n, NAN, np.float32)
    cdef cnp.ndarray[float, ndim=1] rot = np.full(n, NAN, np.float32)
    cdef cnp.ndarray[cnp.int16_t, ndim=1] heading = np.full(n, -1, np.int16)
    cdef cnp.ndarray[cnp.int8_t, ndim=1] nav_status = np.full(n, -1, np.int8)
    # 0: fine; 2: position outside the earth; 3: course or heading out of range
    # (the indices of ingest.validate.PROBLEMS; a test keeps the two in step)
    cdef cnp.ndarray[cnp.int8_t, ndim=1] problem = np.zeros(n, np.int8)
    cdef cnp.ndarray[cnp.uint8_t, ndim=1] accuracy = np.zeros(n, np.uint8)
    cdef cnp.ndarray[int64_t, ndim=1] imo = np.zeros(n, np.int64)
    cdef cnp.ndarray[int64_t, ndim=1] ship_type = np.zeros(n, np.int64)
    cdef cnp.ndarray[int64_t, ndim=2] dims = np.zeros((n, 4), np.int64)
    cdef cnp.ndarray[int64_t, ndim=2] eta = np.zeros((n, 4), np.int64)
    cdef cnp.ndarray[double, ndim=1] draught = np.zeros(n)
    cdef cnp.ndarray[int64_t, ndim=1] part = np.full(n, -1, np.int64)
    # text only for the messages that carry it (types 5, 19, 24): row text_row[m]
    text_row_a = np.full(n, -1, np.int64)
    cdef int64_t[::1] text_row = text_row_a
    cdef int64_t ntext = 0, first_type, mm
    for mm in range(n):
        if nchars[mm] > 0:
            first_type = six[start[mm]]
            if first_type == 5 or first_type == 19 or first_type == 24:
                text_row[mm] = ntext
                ntext += 1
    name_a = np.full((ntext, 20), 64, np.uint8)
    callsign_a = np.full((ntext, 7), 64, np.uint8)
    destination_a = np.full((ntext, 20), 64, np.uint8)
    cdef uint8_t[:, ::1] name = name_a
    cdef uint8_t[:, ::1] callsign = callsign_a
    cdef uint8_t[:, ::1] destination = destination_a
    cdef int64_t m, st, nch, nb, j, r, t
    cdef uint64_t h
    cdef int64_t raw, d
    cdef int DIM_OFF[4]
    DIM_OFF[0] = 0
    DIM_OFF[1] = 9
    DIM_OFF[2] = 18
    DIM_OFF[3] = 24
    cdef const uint8_t* sp = &six[0] if six.shape[0] > 0 else NULL
    with nogil:
        for m in range(n):
            st = start[m]
            nch = nchars[m]
            nb = nch * 6 - fill[m]
            nbits_a[m] = nb
            h = FNV_OFFSET
            for j in range(st, st + nch):
                h = (h ^ ascii[j]) * FNV_PRIME
                if six[j] == 255:
                    bad_chars[m] = 1
            payload_hash[m] = h
            if nch == 0 or bad_chars[m]:
                continue
            t = <int64_t>ubits(sp, st, nch, 0, 6)
            msg_type[m] = t
            mmsi[m] = <int64_t>ubits(sp, st, nch, 8, 30)
            if t == 1 or t == 2 or t == 3 or t == 9 or t == 18 or t == 19:
                # class A (1-3), SAR aircraft (9) and class B (18, 19) position reports share
                # one layout; class B's fields stand 4 bits earlier
                d = -4 if t >= 18 else 0
                accuracy[m] = ubits(sp, st, nch, 60 + d, 1)
                lon[m] = deg_1e4min(sbits(sp, st, nch, 61 + d, 28))
                lat[m] = deg_1e4min(sbits(sp, st, nch, 89 + d, 27))
                cog[m] = tenths(ubits(sp, st, nch, 116 + d, 12), 3600)
                if t == 9:  # whole knots, 1023 = not available; no heading
                    raw = ubits(sp, st, nch, 50, 10)
                    if raw != 1023:
                        sog[m] = raw
                else:
                    sog[m] = tenths(ubits(sp, st, nch, 50 + d, 10), 1023)
                    heading[m] = ubits(sp, st, nch, 128 + d, 9)
                if t <= 3:
                    nav_status[m] = ubits(sp, st, nch, 38, 4)
                    raw = sbits(sp, st, nch, 42, 8)
                    if raw > -127 and raw < 127:
                        rot[m] = (raw / 4.733) * (raw / 4.733) * (1 if raw >= 0 else -1)
                elif t == 19:
                    text(sp, st, nch, nb, 143, &name[text_row[m], 0], 20)
                    ship_type[m] = ubits(sp, st, nch, 263, 8)
                    for r in range(4):
                        dims[m, r] = ubits(sp, st, nch, 271 + DIM_OFF[r], 9 if r < 2 else 6)
            elif t == 4:
                accuracy[m] = ubits(sp, st, nch, 78, 1)
                lon[m] = deg_1e4min(sbits(sp, st, nch, 79, 28))
                lat[m] = deg_1e4min(sbits(sp, st, nch, 107, 27))
            elif t == 27:
                accuracy[m] = ubits(sp, st, nch, 38, 1)
                nav_status[m] = ubits(sp, st, nch, 40, 4)
                raw = sbits(sp, st, nch, 44, 18)
                lon[m] = 181.0 if raw == 181 * 600 else deg_10min(raw)
                raw = sbits(sp, st, nch, 62, 17)
                lat[m] = 91.0 if raw == 91 * 600 else deg_10min(raw)
                raw = ubits(sp, st, nch, 79, 6)
                if raw != 63:
                    sog[m] = raw
                raw = ubits(sp, st, nch, 85, 9)
                if raw != 511:
                    cog[m] = raw
            elif t == 5:
                imo[m] = ubits(sp, st, nch, 40, 30)
                text(sp, st, nch, nb, 70, &callsign[text_row[m], 0], 7)
                text(sp, st, nch, nb, 112, &name[text_row[m], 0], 20)
                ship_type[m] = ubits(sp, st, nch, 232, 8)
                for r in range(4):
                    dims[m, r] = ubits(sp, st, nch, 240 + DIM_OFF[r], 9 if r < 2 else 6)
                eta[m, 0] = ubits(sp, st, nch, 274, 4)
                eta[m, 1] = ubits(sp, st, nch, 278, 5)
                eta[m, 2] = ubits(sp, st, nch, 283, 5)
                eta[m, 3] = ubits(sp, st, nch, 288, 6)
                draught[m] = ubits(sp, st, nch, 294, 8) / 10.0
                text(sp, st, nch, nb, 302, &destination[text_row[m], 0], 20)
            elif t == 24:
                part[m] = ubits(sp, st, nch, 38, 2)
                if part[m] == 0:
                    text(sp, st, nch, nb, 40, &name[text_row[m], 0], 20)
                elif part[m] == 1:
                    ship_type[m] = ubits(sp, st, nch, 40, 8)
                    text(sp, st, nch, nb, 90, &callsign[text_row[m], 0], 7)
                    # an auxiliary craft (98MIDxxxx) sends its mother ship's MMSI here
                    if mmsi[m] // 10000000 != 98:
                        for r in range(4):
                            dims[m, r] = ubits(sp, st, nch, 132 + DIM_OFF[r], 9 if r < 2 else 6)
            if t <= 4 or t == 9 or t == 18 or t == 19 or t == 27:
                # AIS "not available" to null, then the range checks of ingest/validate.py
                if lat[m] == 91.0:
                    lat[m] = NAN
                if lon[m] == 181.0:
                    lon[m] = NAN
                if heading[m] == 511:
                    heading[m] = -1
                if fabs(lat[m]) > 90.0 or fabs(lon[m]) > 180.0:
                    problem[m] = 2
                elif cog[m] >= 360.0 or heading[m] > 359:
                    problem[m] = 3
    return {
        "msg_type": msg_type, "mmsi": mmsi, "nbits": nbits_a, "bad_chars": bad_chars.view(bool),
        "msg_hash": payload_hash, "lat": lat, "lon": lon, "sog_kn": sog, "cog_deg": cog,
        "problem": problem,
        "rot_deg_min": rot, "heading_deg": heading, "nav_status": nav_status,
        "position_accuracy": accuracy.view(bool), "imo": imo, "ship_type": ship_type,
        "dims": dims, "eta": eta, "draught_m": draught, "part": part, "name": name_a,
        "callsign": callsign_a, "destination": destination_a, "text_row": text_row_a,
    }


# MMSI kinds in the order of vesselwatch.model.mmsi.MmsiKind (a test keeps them in step)
DEF K_SHIP = 0
DEF K_COAST = 1
DEF K_GROUP = 2
DEF K_SAR = 3
DEF K_SART = 4
DEF K_MOB = 5
DEF K_EPIRB = 6
DEF K_CRAFT = 7
DEF K_ATON = 8
DEF K_HANDHELD = 9
DEF K_INVALID = 10


cdef inline bint mid_ok(int64_t at) noexcept nogil:
    return 200 <= at <= 799


def mmsi_issue_codes(const int64_t[::1] mmsi, const int64_t[::1] msg_type,
                     const uint8_t[::1] allocated, const uint8_t[:, ::1] allowed):
    """The compiled twin of ``model.mmsi.mmsi_issue_codes`` (ITU-R M.585), one pass.

    0 none, 1 unallocated MID, 2 wrong kind for the message type, 3 placeholder identity.
    """
    cdef int64_t n = mmsi.shape[0]
    out_a = np.zeros(n, np.int8)
    cdef cnp.int8_t[::1] out = out_a
    cdef int64_t i, m, t, f1, f2, f3, mid, at, row
    cdef int kind
    cdef int ntypes = allowed.shape[0] - 1
    with nogil:
        for i in range(n):
            m = mmsi[i]
            kind = K_INVALID
            mid = -1
            if 0 <= m <= 999999999:
                f1 = m // 100000000
                f2 = m // 10000000
                f3 = m // 1000000
                if 2 <= f1 <= 7 and mid_ok(f3):
                    kind = K_SHIP
                    mid = f3
                elif f1 == 8:
                    at = (m // 100000) % 1000
                    if mid_ok(at):
                        kind = K_HANDHELD
                        mid = at
                elif f2 == 98 or f2 == 99:
                    at = (m // 10000) % 1000
                    if mid_ok(at):
                        kind = K_CRAFT if f2 == 98 else K_ATON
                        mid = at
                elif f3 == 970:
                    kind = K_SART
                elif f3 == 972:
                    kind = K_MOB
                elif f3 == 974:
                    kind = K_EPIRB
                elif f3 == 111:
                    at = (m // 1000) % 1000
                    if mid_ok(at):
                        kind = K_SAR
                        mid = at
                elif f2 == 0:
                    at = (m // 10000) % 1000
                    if mid_ok(at):
                        kind = K_COAST
                        mid = at
                elif f1 == 0:
                    at = m // 100000
                    if mid_ok(at):
                        kind = K_GROUP
                        mid = at
            t = msg_type[i]
            row = t if 0 <= t < ntypes else ntypes
            if m == 123456789 or m == 987654321 or (m > 0 and m % 111111111 == 0 and m <= 999999999):
                out[i] = 3
            elif not allowed[row, kind]:
                out[i] = 2
            elif mid >= 0 and not allocated[mid]:
                out[i] = 1
    return out_a




cdef inline int64_t year_of_day(int64_t z) noexcept nogil:
    # H. Hinnant's civil_from_days, the year only
    z += 719468
    cdef int64_t era = (z if z >= 0 else z - 146096) // 146097
    cdef int64_t doe = z - era * 146097
    cdef int64_t yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    cdef int64_t doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    cdef int64_t mp = (5 * doy + 2) // 153
    cdef int64_t m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (m <= 2)


def eta_us(const int64_t[::1] ts_us, const int64_t[:, ::1] parts):
    """The ETA (``parts``: month, day, hour, minute; no year) as the instant nearest the
    report time ``ts_us``, in the year before, of, or after it; -1 where not available.

    Month or day 0 (or out of range) means not available; hour 24 or minute 60 means the
    time of day is not available, so the ETA is midnight of that day. A day the month does
    not have (30 February) is skipped in that year.
    """
    cdef int64_t n = ts_us.shape[0]
    out_a = np.full(n, -1, np.int64)
    cdef int64_t[::1] out = out_a
    cdef int64_t i, dy, month, day, hour, minute, year, y, m, first, nxt, d, us, dist, best_dist, ts
    cdef bint ok
    with nogil:
        for i in range(n):
            month = parts[i, 0]
            day = parts[i, 1]
            hour = parts[i, 2]
            minute = parts[i, 3]
            ok = (1 <= month) & (month <= 12) & (1 <= day) & (day <= 31) & (hour <= 24) & (minute <= 60)
            if not ok:
                continue
            if hour == 24:
                hour = 0
            if minute == 60:
                minute = 0
            ts = ts_us[i]
            year = year_of_day((ts if ts >= 0 else 0) // US_PER_DAY)
            best_dist = -1
            for dy in range(-1, 2):
                y = year + dy
                first = days_from_civil(y, month, 1)
                nxt = days_from_civil(y + 1, 1, 1) if month == 12 else days_from_civil(y, month + 1, 1)
                d = first + day - 1
                if d >= nxt:
                    continue
                us = ((d * 24 + hour) * 60 + minute) * 60000000
                dist = us - ts if us >= ts else ts - us
                if best_dist < 0 or dist < best_dist:
                    best_dist = dist
                    out[i] = us
    return out_a


cdef inline bint is_space(uint8_t c) noexcept nogil:
    return c == 32 or (9 <= c <= 13)


def text_buffers(const uint8_t[:, ::1] chars, const int64_t[::1] rows):
    """Rows ``rows`` of a 6-bit ASCII text array as Arrow string buffers.

    Trailing ``@`` padding is cut, then blanks at both ends; an empty text is null.
    Returns ``(validity bitmap, int32 offsets, bytes, null count)``.
    """
    cdef int64_t n = rows.shape[0], k = chars.shape[1]
    valid_a = np.zeros((n + 7) // 8, np.uint8)
    offsets_a = np.zeros(n + 1, np.int32)
    data_a = np.empty(n * k, np.uint8)
    cdef uint8_t[::1] valid = valid_a
    cdef cnp.int32_t[::1] offsets = offsets_a
    cdef uint8_t[::1] data = data_a
    cdef int64_t i, r, a, b, j, pos = 0, nulls = 0
    with nogil:
        for i in range(n):
            r = rows[i]
            b = k
            while b > 0 and chars[r, b - 1] == 64:
                b -= 1
            while b > 0 and is_space(chars[r, b - 1]):
                b -= 1
            a = 0
            while a < b and is_space(chars[r, a]):
                a += 1
            if b > a:
                valid[i >> 3] |= <uint8_t>(1 << (i & 7))
                for j in range(a, b):
                    data[pos] = chars[r, j]
                    pos += 1
            else:
                nulls += 1
            offsets[i + 1] = <cnp.int32_t>pos
    return valid_a, offsets_a, data_a[:pos], nulls
