# cython: language_level=3, cdivision=True
"""The canonical values of decoded fields, for the compiled decoder (inline).

Units and "not available" values as in ``ingest/validate.py``; MMSI rules as in
``model/mmsi.py`` (ITU-R M.585); ETA resolution and 6-bit text trimming as the canonical
vessel-report columns want them. Tests check them against their Python twins and pyais.
"""

from libc.math cimport NAN, rintf
from libc.stdint cimport int64_t, uint8_t, uint64_t

from vesselwatch.ingest.nmea._civil cimport days_from_civil


# ---- positions, speeds, courses
cdef inline double degrees(int64_t v, int64_t per_deg_times_10) noexcept nogil:
    # v / (per_deg) rounded to 1e-6 the way pyais and gpsd print positions:
    # floor((10 * 1e6 / per_deg * v + 3) / 6) / 1e6, computed in integers
    cdef int64_t t = per_deg_times_10 * v + 3
    cdef int64_t q = t // 6
    if t % 6 != 0 and t < 0:  # C division truncates; we want floor
        q -= 1
    return q / 1e6


cdef inline double deg_1e4min(int64_t v) noexcept nogil:
    return degrees(v, 10)  # 1/10000 minute (1/600000 degree)


cdef inline double deg_10min(int64_t v) noexcept nogil:
    return degrees(v, 10000)  # 1/10 minute (1/600 degree), type 27


cdef inline float tenths(uint64_t raw, uint64_t not_available) noexcept nogil:
    # a field in tenths (speed, course); NaN for its "not available" value
    return NAN if raw == not_available else raw / 10.0


cdef inline float round_tenth(float x) noexcept nogil:
    # numpy's round(x, 1) of a float32: times ten, to the nearest even, over ten, in float32
    cdef float y = x * <float>10.0
    return rintf(y) / <float>10.0


# ---- MMSI (ITU-R M.585): kinds in the order of vesselwatch.model.mmsi.MmsiKind (a test
# keeps them in step)
cdef enum:
    K_SHIP = 0
    K_COAST = 1
    K_GROUP = 2
    K_SAR = 3
    K_SART = 4
    K_MOB = 5
    K_EPIRB = 6
    K_CRAFT = 7
    K_ATON = 8
    K_HANDHELD = 9
    K_INVALID = 10


cdef inline bint mid_ok(int64_t at) noexcept nogil:
    return 200 <= at <= 799


cdef inline int issue_code(int64_t m, int64_t t, const uint8_t* allocated,
                           const uint8_t* allowed, int nkinds, int ntypes) noexcept nogil:
    """0 none, 1 unallocated MID, 2 wrong kind for the message type, 3 placeholder."""
    cdef int64_t f1, f2, f3, mid = -1, at, row
    cdef int kind = K_INVALID
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
    row = t if 0 <= t < ntypes else ntypes
    if m == 123456789 or m == 987654321 or (m > 0 and m % 111111111 == 0 and m <= 999999999):
        return 3
    if not allowed[row * nkinds + kind]:
        return 2
    if mid >= 0 and not allocated[mid]:
        return 1
    return 0


# ---- ETA
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


cdef struct EtaYears:
    int64_t day  # the last report day looked up (-1: none yet), and its year
    int64_t year
    int64_t middle  # the years of ``starts``: middle - 1, middle, middle + 1 (or none yet)
    int64_t starts[3][13]  # day number of the 1st of each month, and of the next January


cdef inline void eta_years_init(EtaYears* c) noexcept nogil:
    c.day = -1
    c.year = -1
    c.middle = -(<int64_t>1 << 40)


cdef inline int64_t eta_us(int64_t ts, int64_t month, int64_t day, int64_t hour,
                           int64_t minute, EtaYears* c) noexcept nogil:
    """The ETA (no year) as the instant nearest the report time ``ts``, in the year before,
    of, or after it; -1 where not available. ``c`` keeps the calendar of the last year.

    Month or day 0 (or out of range) means not available; hour 24 or minute 60 means the
    time of day is not available, so the ETA is midnight of that day. A day the month does
    not have (30 February) is skipped in that year.
    """
    cdef int64_t dy, d, us, dist, best_dist = -1, out = -1, today, y, mo
    if not ((1 <= month) & (month <= 12) & (1 <= day) & (day <= 31) & (hour <= 24)
            & (minute <= 60)):
        return -1
    if hour == 24:
        hour = 0
    if minute == 60:
        minute = 0
    today = (ts if ts >= 0 else 0) // 86400000000LL
    if today != c.day:
        c.day = today
        c.year = year_of_day(today)
    if c.year != c.middle:
        c.middle = c.year
        for dy in range(3):
            y = c.year - 1 + dy
            for mo in range(12):
                c.starts[dy][mo] = days_from_civil(y, mo + 1, 1)
            c.starts[dy][12] = days_from_civil(y + 1, 1, 1)
    for dy in range(3):
        d = c.starts[dy][month - 1] + day - 1
        if d >= c.starts[dy][month]:
            continue
        us = ((d * 24 + hour) * 60 + minute) * 60000000
        dist = us - ts if us >= ts else ts - us
        if best_dist < 0 or dist < best_dist:
            best_dist = dist
            out = us
    return out


# ---- 6-bit text
cdef inline bint is_space(uint8_t c) noexcept nogil:
    return c == 32 or (9 <= c <= 13)


cdef inline int64_t put_text(const uint8_t* chars, int64_t k, uint8_t* data,
                             int64_t pos) noexcept nogil:
    """Append ``chars[:k]`` to ``data`` at ``pos`` with trailing ``@`` padding cut, then
    blanks at both ends; return the new end, or -1 for an empty text (a null)."""
    cdef int64_t a = 0, b = k, j
    while b > 0 and chars[b - 1] == 64:
        b -= 1
    while b > 0 and is_space(chars[b - 1]):
        b -= 1
    while a < b and is_space(chars[a]):
        a += 1
    if b <= a:
        return -1
    for j in range(a, b):
        data[pos] = chars[j]
        pos += 1
    return pos
