# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The NMEA line hot loops, compiled: take lines apart and bind messages to their clocks.

- ``frame_lines(buf)``: every line of a buffer taken apart (tag block, checksum, the fields
  of ``!ccVDM``/``!ccVDO``, ``$PGHP`` times, trailing receive times), one pass;
- ``bind_messages(...)``: each message's payload gathered and its clocks chosen;
- ``gather_ranges(buf, a, b)``: byte ranges concatenated.

No Python object is made per line. Joining multi-sentence messages, validation and tables
are NumPy and Arrow in the modules around this one; payload bits are ``_payload.pyx``.
"""

import numpy as np

cimport numpy as cnp
from libc.stdint cimport int64_t, uint8_t, uint64_t

from vesselwatch.ingest.nmea._civil cimport days_from_civil
from libc.string cimport memchr, memcpy

cnp.import_array()

cdef extern from *:
    """
    #include <stdint.h>
    #include <string.h>
    /* lowest set bit; the SWAR scans below need the byte order of a little-endian load */
    #if defined(_MSC_VER)
    #include <intrin.h>
    static inline int vw_ctz64(uint64_t x) { unsigned long i; _BitScanForward64(&i, x); return (int)i; }
    #else
    static inline int vw_ctz64(uint64_t x) { return __builtin_ctzll(x); }
    #endif
    static inline uint64_t vw_load_le64(const uint8_t* p) {
        uint64_t w;
        memcpy(&w, p, 8);
    #if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        w = __builtin_bswap64(w);
    #endif
        return w;
    }
    /* how many bytes of a vw_eq_bytes mask are set (a multiply sums the bytes) */
    static inline int vw_count_bytes(uint64_t m) { return (int)(((m >> 7) * 0x0101010101010101ULL) >> 56); }
    /* 0x80 in every byte of w equal to the byte c, exactly (no borrow between bytes) */
    static inline uint64_t vw_eq_bytes(uint64_t w, uint8_t c) {
        const uint64_t lo7 = 0x7F7F7F7F7F7F7F7FULL;
        uint64_t y = w ^ (0x0101010101010101ULL * c);
        return ~(((y & lo7) + lo7) | y | lo7);
    }
    """
    int vw_ctz64(uint64_t x) nogil
    int vw_count_bytes(uint64_t m) nogil
    uint64_t vw_load_le64(const uint8_t* p) nogil
    uint64_t vw_eq_bytes(uint64_t w, uint8_t c) nogil

# line kinds
DEF EMPTY = 0
DEF AIS = 1
DEF PGHP = 2
DEF OTHER = 3
DEF REJECT = 4

# reject reasons: indices into REASONS
REASONS = ["bad_format", "bad_checksum", "bad_tag_block", "line_too_long", "bad_time"]
DEF R_FORMAT = 0
DEF R_CHECKSUM = 1
DEF R_TAG_BLOCK = 2
DEF R_TOO_LONG = 3
DEF R_TIME = 4

DEF MAX_LINE_BYTES = 1024
cdef int64_t EPOCH_MS_MIN = 100000000000LL  # a clock above this counts milliseconds, not seconds
cdef int64_t US_PER_S = 1000000


cdef inline uint8_t armour(uint8_t c) noexcept nogil:
    # the 6-bit value of a payload character (ITU-R M.1371-5 Table 47); 255 if it is none
    if 48 <= c <= 87:
        return c - 48
    if 96 <= c <= 119:
        return c - 56
    return 255


cdef inline int64_t xor_range(const uint8_t* b, int64_t a, int64_t z) noexcept nogil:
    """XOR of the bytes b[a:z], eight at a time."""
    cdef uint64_t w, acc = 0
    cdef int64_t x
    while a + 8 <= z:
        memcpy(&w, b + a, 8)
        acc ^= w
        a += 8
    acc ^= acc >> 32
    acc ^= acc >> 16
    acc ^= acc >> 8
    x = <int64_t>(acc & 0xFF)
    while a < z:
        x ^= b[a]
        a += 1
    return x


cdef inline int hexval(uint8_t c) noexcept nogil:
    if 48 <= c <= 57:
        return c - 48
    if 65 <= c <= 70:
        return c - 55
    if 97 <= c <= 102:
        return c - 87
    return -1


cdef inline int64_t parse_digits(const uint8_t* b, int64_t a, int64_t e, int maxd) noexcept nogil:
    """Decimal value of b[a:e]; -1 when empty, too long or not all digits."""
    cdef int64_t v = 0
    cdef int64_t i
    if e <= a or e - a > maxd:
        return -1
    for i in range(a, e):
        if b[i] < 48 or b[i] > 57:
            return -1
        v = v * 10 + (b[i] - 48)
    return v


cdef inline int64_t clock_us(int64_t v) noexcept nogil:
    if v < 0:
        return -1
    if v >= EPOCH_MS_MIN:
        return v * 1000
    return v * US_PER_S




cdef inline int days_in_month(int64_t y, int64_t m) noexcept nogil:
    if m == 2:
        return 29 if (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)) else 28
    if m == 4 or m == 6 or m == 9 or m == 11:
        return 30
    return 31


def frame_lines(const uint8_t[::1] buf):
    """Take apart every line of ``buf`` (which ends with a newline). Returns a dict of arrays."""
    cdef int64_t nbuf = buf.shape[0]
    cdef int64_t n = 0
    cdef int64_t i, k
    cdef const uint8_t* base = &buf[0] if nbuf > 0 else NULL
    cdef const uint8_t* hit
    cdef int64_t at = 0
    with nogil:  # count the newlines, eight bytes at a time
        while at + 8 <= nbuf:
            n += vw_count_bytes(vw_eq_bytes(vw_load_le64(base + at), 10))
            at += 8
        while at < nbuf:
            n += base[at] == 10
            at += 1
    cdef cnp.ndarray[cnp.int32_t, ndim=1] a_start = np.zeros(n, np.int32)
    cdef cnp.ndarray[cnp.int32_t, ndim=1] a_end = np.zeros(n, np.int32)
    cdef cnp.ndarray[cnp.int8_t, ndim=1] a_kind = np.full(n, REJECT, np.int8)
    cdef cnp.ndarray[cnp.int8_t, ndim=1] a_reason = np.full(n, -1, np.int8)
    cdef cnp.ndarray[cnp.int32_t, ndim=1] a_total = np.zeros(n, np.int32)
    cdef cnp.ndarray[cnp.int32_t, ndim=1] a_num = np.zeros(n, np.int32)
    cdef cnp.ndarray[cnp.int32_t, ndim=1] a_seq = np.full(n, -1, np.int32)
    cdef cnp.ndarray[cnp.int32_t, ndim=1] a_channel = np.zeros(n, np.int32)
    cdef cnp.ndarray[cnp.int8_t, ndim=1] a_own = np.zeros(n, np.int8)
    cdef cnp.ndarray[cnp.int32_t, ndim=1] a_pay_start = np.zeros(n, np.int32)
    cdef cnp.ndarray[cnp.int32_t, ndim=1] a_pay_len = np.zeros(n, np.int32)
    cdef cnp.ndarray[cnp.int32_t, ndim=1] a_fill = np.zeros(n, np.int32)
    cdef cnp.ndarray[cnp.int32_t, ndim=1] a_checksum = np.full(n, -1, np.int32)
    cdef cnp.ndarray[int64_t, ndim=1] a_tag_ts = np.full(n, -1, np.int64)
    cdef cnp.ndarray[int64_t, ndim=1] a_trailing_ts = np.full(n, -1, np.int64)
    cdef cnp.ndarray[int64_t, ndim=1] a_pghp_ts = np.full(n, -1, np.int64)
    cdef cnp.ndarray[cnp.int32_t, ndim=1] a_pghp_target = np.full(n, -1, np.int32)
    cdef cnp.ndarray[cnp.int32_t, ndim=1] a_pghp_st_a = np.zeros(n, np.int32)
    cdef cnp.ndarray[cnp.int32_t, ndim=1] a_pghp_st_b = np.zeros(n, np.int32)
    cdef cnp.ndarray[cnp.int32_t, ndim=1] a_st_a = np.zeros(n, np.int32)
    cdef cnp.ndarray[cnp.int32_t, ndim=1] a_st_b = np.zeros(n, np.int32)
    cdef cnp.ndarray[int64_t, ndim=1] a_group_id = np.full(n, -1, np.int64)
    cdef cnp.ndarray[cnp.int32_t, ndim=1] a_group_num = np.full(n, -1, np.int32)
    cdef cnp.ndarray[cnp.int32_t, ndim=1] a_group_total = np.full(n, -1, np.int32)

    cdef int64_t s, e, p, q, j, fs, fe, star, fc, x, given, v, c
    cdef int64_t commas[16]
    cdef int ncomma
    cdef bint bad_time, nonascii
    cdef int64_t f[8]
    cdef int64_t line_begin = 0
    cdef int64_t li = 0
    cdef uint64_t word, acc, mstar, mcomma
    at = 0
    with nogil:
        while at < nbuf:
            hit = <const uint8_t*>memchr(base + at, 10, nbuf - at)
            if hit == NULL:
                break
            i = hit - base
            at = i + 1
            s = line_begin
            e = i
            line_begin = i + 1
            li += 1
            k = li - 1
            while e > s and (buf[e - 1] == 13 or buf[e - 1] == 32 or buf[e - 1] == 9):
                e -= 1
            while e > s and (buf[s] == 32 or buf[s] == 9 or buf[s] == 13):
                s += 1
            a_start[k] = s
            a_end[k] = e
            if e == s:
                a_kind[k] = EMPTY
                continue
            if e - s > MAX_LINE_BYTES:
                a_reason[k] = R_TOO_LONG
                continue
            nonascii = False
            j = s
            while j + 8 <= e:  # eight bytes at a time: any high bit set?
                memcpy(&word, base + j, 8)
                if word & 0x8080808080808080ULL:
                    nonascii = True
                    break
                j += 8
            while not nonascii and j < e:
                nonascii = buf[j] >= 128
                j += 1
            if nonascii:
                a_reason[k] = R_FORMAT
                continue
            p = s
            bad_time = False
            # ---- tag block \key:value,key:value*hh\
            if buf[p] == 92:
                hit = <const uint8_t*>memchr(base + p + 1, 92, e - p - 1)
                q = (hit - base) if hit != NULL else e
                star = q - 3
                if q >= e or star <= p or buf[star] != 42 or hexval(buf[star + 1]) < 0 or hexval(buf[star + 2]) < 0:
                    a_reason[k] = R_TAG_BLOCK
                    continue
                x = xor_range(base, p + 1, star)
                if x != hexval(buf[star + 1]) * 16 + hexval(buf[star + 2]):
                    a_reason[k] = R_TAG_BLOCK
                    continue
                fs = p + 1
                while fs < star:
                    fe = fs
                    while fe < star and buf[fe] != 44:
                        fe += 1
                    if fe - fs >= 2 and buf[fs + 1] == 58:
                        c = buf[fs]
                        if c == 99:  # c: time
                            v = parse_digits(base, fs + 2, fe, 13)
                            if v < 0:
                                bad_time = True
                            else:
                                a_tag_ts[k] = clock_us(v)
                        elif c == 115:  # s: station
                            a_st_a[k] = fs + 2
                            a_st_b[k] = fe
                        elif c == 103:  # g: part-total-id
                            j = fs + 2
                            while j < fe and buf[j] != 45:
                                j += 1
                            q = j + 1
                            while q < fe and buf[q] != 45:
                                q += 1
                            f[0] = parse_digits(base, fs + 2, j, 2)
                            f[1] = parse_digits(base, j + 1, q, 2)
                            f[2] = parse_digits(base, q + 1, fe, 12)
                            if f[0] >= 0 and f[1] >= 0 and f[2] >= 0:
                                a_group_num[k] = f[0]
                                a_group_total[k] = f[1]
                                a_group_id[k] = f[2]
                    fs = fe + 1
                p = star + 4
            if p >= e or (buf[p] != 33 and buf[p] != 36):
                a_reason[k] = R_FORMAT
                continue
            # ---- checksum: XOR of everything between the start character and '*', and
            # the commas before '*': one pass, eight bytes at a time
            ncomma = 0
            acc = 0
            star = e
            q = p + 1
            while q + 8 <= e:
                word = vw_load_le64(base + q)
                mstar = vw_eq_bytes(word, 42)
                mcomma = vw_eq_bytes(word, 44)
                if mstar:
                    j = vw_ctz64(mstar) >> 3  # bytes before the '*'
                    star = q + j
                    if j:
                        acc ^= word & ((<uint64_t>1 << (8 * j)) - 1)
                        mcomma &= (<uint64_t>1 << (8 * j)) - 1
                else:
                    acc ^= word
                while mcomma:
                    if ncomma < 16:
                        commas[ncomma] = q + (vw_ctz64(mcomma) >> 3)
                    ncomma += 1
                    mcomma &= mcomma - 1
                if mstar:
                    break
                q += 8
            acc ^= acc >> 32
            acc ^= acc >> 16
            acc ^= acc >> 8
            x = <int64_t>(acc & 0xFF)
            if star == e:
                while q < e:
                    c = buf[q]
                    if c == 42:
                        star = q
                        break
                    x ^= c
                    if c == 44:
                        if ncomma < 16:
                            commas[ncomma] = q
                        ncomma += 1
                    q += 1
            if star + 3 > e or hexval(buf[star + 1]) < 0 or hexval(buf[star + 2]) < 0 or ncomma == 0:
                a_reason[k] = R_FORMAT
                continue
            fc = commas[0]
            if fc - p - 1 < 2 or fc - p - 1 > 7:
                a_reason[k] = R_FORMAT
                continue
            given = hexval(buf[star + 1]) * 16 + hexval(buf[star + 2])
            if x != given:
                a_reason[k] = R_CHECKSUM
                continue
            a_checksum[k] = given
            if star + 3 < e and buf[star + 3] == 44:
                a_trailing_ts[k] = clock_us(parse_digits(base, star + 4, e, 13))
            if bad_time:
                a_reason[k] = R_TIME
                continue
            # ---- !ccVDM / !ccVDO
            if buf[p] == 33 and fc == p + 6 and buf[p + 3] == 86 and buf[p + 4] == 68 and (buf[p + 5] == 77 or buf[p + 5] == 79):
                if ncomma != 6 or commas[5] + 2 != star:
                    a_reason[k] = R_FORMAT
                    continue
                f[0] = parse_digits(base, commas[0] + 1, commas[1], 1)
                f[1] = parse_digits(base, commas[1] + 1, commas[2], 1)
                v = buf[star - 1] - 48
                if f[0] < 1 or f[1] < 1 or f[1] > f[0] or v < 0 or v > 5 or commas[4] - commas[3] > 2:
                    a_reason[k] = R_FORMAT
                    continue
                if commas[3] == commas[2] + 1:
                    a_seq[k] = -1
                else:
                    a_seq[k] = parse_digits(base, commas[2] + 1, commas[3], 1)
                    if a_seq[k] < 0:
                        a_reason[k] = R_FORMAT
                        continue
                a_total[k] = f[0]
                a_num[k] = f[1]
                a_channel[k] = buf[commas[3] + 1] if commas[4] == commas[3] + 2 else 0
                a_pay_start[k] = commas[4] + 1
                a_pay_len[k] = commas[5] - commas[4] - 1
                a_fill[k] = v
                a_own[k] = buf[p + 5] == 79
                a_kind[k] = AIS
            # ---- $PGHP,1,y,m,d,H,M,S,ms,mid,region,station,online,cs*hh
            elif buf[p] == 36 and fc == p + 5 and buf[p + 1] == 80 and buf[p + 2] == 71 and buf[p + 3] == 72 and buf[p + 4] == 80:
                if ncomma != 13 or parse_digits(base, commas[0] + 1, commas[1], 1) != 1:
                    a_kind[k] = OTHER
                    continue
                for j in range(7):
                    f[j] = parse_digits(base, commas[j + 1] + 1, commas[j + 2], 4 if j == 0 else 3)
                if (commas[12] + 3 != star or hexval(buf[commas[12] + 1]) < 0 or hexval(buf[commas[12] + 2]) < 0
                        or f[0] < 1970 or f[0] > 2200 or f[1] < 1 or f[1] > 12 or f[2] < 1
                        or f[2] > days_in_month(f[0], f[1]) or f[3] < 0 or f[3] > 23 or f[4] < 0
                        or f[4] > 59 or f[5] < 0 or f[5] > 60 or f[6] < 0 or f[6] > 999):
                    a_reason[k] = R_TIME
                    continue
                a_pghp_ts[k] = ((((days_from_civil(f[0], f[1], f[2]) * 24 + f[3]) * 60 + f[4]) * 60 + f[5])
                                * US_PER_S + f[6] * 1000)
                a_pghp_target[k] = hexval(buf[commas[12] + 1]) * 16 + hexval(buf[commas[12] + 2])
                a_pghp_st_a[k] = commas[10] + 1
                a_pghp_st_b[k] = commas[11]
                a_kind[k] = PGHP
            else:
                a_kind[k] = OTHER
    return {
        "start": a_start, "end": a_end, "kind": a_kind, "reason": a_reason,
        "total": a_total, "num": a_num, "seq": a_seq, "channel": a_channel, "own": a_own,
        "pay_start": a_pay_start, "pay_len": a_pay_len, "fill": a_fill, "checksum": a_checksum,
        "tag_ts": a_tag_ts, "trailing_ts": a_trailing_ts, "pghp_ts": a_pghp_ts,
        "pghp_target": a_pghp_target, "pghp_station_start": a_pghp_st_a,
        "pghp_station_end": a_pghp_st_b, "station_start": a_st_a, "station_end": a_st_b,
        "group_id": a_group_id, "group_num": a_group_num, "group_total": a_group_total,
    }


def gather_ranges(const uint8_t[::1] buf, const int64_t[::1] a, const int64_t[::1] b):
    """Concatenate ``buf[a:b]`` for all ranges: the bytes, and where each range now starts."""
    cdef int64_t n = a.shape[0]
    cdef int64_t i, total = 0, w
    starts_a = np.zeros(n, np.int64)
    cdef int64_t[::1] starts = starts_a
    for i in range(n):
        starts[i] = total
        w = b[i] - a[i]
        if w > 0:
            total += w
    out_a = np.empty(total, np.uint8)
    cdef uint8_t[::1] out = out_a
    cdef int64_t j, p
    with nogil:
        for i in range(n):
            p = starts[i]
            for j in range(a[i], b[i]):
                out[p] = buf[j]
                p += 1
    return out_a, starts_a


def bind_messages(const uint8_t[::1] buf, const int64_t[::1] parts, const int64_t[::1] nparts,
                  const int64_t[::1] numbers, const cnp.int8_t[::1] kind, const cnp.int8_t[::1] own,
                  const cnp.int32_t[::1] pay_start, const cnp.int32_t[::1] pay_len,
                  const cnp.int32_t[::1] fill, const cnp.int32_t[::1] checksum,
                  const int64_t[::1] tag_ts, const int64_t[::1] trailing_ts,
                  const int64_t[::1] pghp_ts, const cnp.int32_t[::1] pghp_target,
                  const cnp.int32_t[::1] station_start, const cnp.int32_t[::1] station_end,
                  const cnp.int32_t[::1] pghp_station_start, const cnp.int32_t[::1] pghp_station_end,
                  int64_t reference_us, int lookback):
    """Payloads, checksums and clocks of every message, in one pass (see assemble.py).

    ``parts`` lists every message's part lines, message after message; ``numbers`` are the
    input line numbers of the buffer's lines (the $PGHP look-back counts input lines).
    Clock order: tag block, bound $PGHP, trailing time, reference; the next one present
    becomes the received time. Clock sources are numbered 0..3 in that order.
    """
    cdef int64_t n = nparts.shape[0]
    cdef int64_t m, j, q, p, b, total = 0, first, last, cand, gap, d
    cdef int64_t cs, target, bound, clock[4]
    for j in range(parts.shape[0]):
        total += pay_len[parts[j]]
    ascii_a = np.empty(total, np.uint8)
    six_a = np.empty(total, np.uint8)
    cdef uint8_t[::1] out = ascii_a
    cdef uint8_t[::1] out_six = six_a
    cdef uint8_t ch
    arrays = {name: np.empty(n, np.int64) for name in (
        "first_line", "last_line", "part_begin", "start", "nchars", "fill", "checksum", "ts",
        "ts_source", "received_ts", "station_start", "station_end", "bound_pghp")}
    cdef int64_t[::1] o_first = arrays["first_line"]
    cdef int64_t[::1] o_last = arrays["last_line"]
    cdef int64_t[::1] o_begin = arrays["part_begin"]
    cdef int64_t[::1] o_start = arrays["start"]
    cdef int64_t[::1] o_nchars = arrays["nchars"]
    cdef int64_t[::1] o_fill = arrays["fill"]
    cdef int64_t[::1] o_cs = arrays["checksum"]
    cdef int64_t[::1] o_ts = arrays["ts"]
    cdef int64_t[::1] o_src = arrays["ts_source"]
    cdef int64_t[::1] o_recv = arrays["received_ts"]
    cdef int64_t[::1] o_sta = arrays["station_start"]
    cdef int64_t[::1] o_stb = arrays["station_end"]
    cdef int64_t[::1] o_bound = arrays["bound_pghp"]
    cdef int64_t pos = 0, b0 = 0
    with nogil:
        for m in range(n):
            first = parts[b0]
            last = parts[b0 + nparts[m] - 1]
            o_first[m] = first
            o_last[m] = last
            o_begin[m] = b0
            o_start[m] = pos
            cs = 0
            for j in range(b0, b0 + nparts[m]):
                q = parts[j]
                cs ^= checksum[q]
                for p in range(pay_start[q], pay_start[q] + pay_len[q]):
                    ch = buf[p]
                    out[pos] = ch
                    out_six[pos] = armour(ch)
                    pos += 1
            o_nchars[m] = pos - o_start[m]
            o_fill[m] = fill[last]
            o_cs[m] = cs
            b0 += nparts[m]
            # the nearest $PGHP within ``lookback`` input lines before part 1 whose checksum
            # field is the message's checksum; 00 binds an own-ship VDO on the next line
            bound = -1
            for d in range(1, lookback + 1):
                cand = first - d
                if cand < 0:
                    break
                gap = numbers[first] - numbers[cand]
                if gap > lookback:
                    break
                if kind[cand] != 2:
                    continue
                target = pghp_target[cand]
                if target == cs or (gap == 1 and own[first] == 1 and target == 0):
                    bound = cand
                    break
            o_bound[m] = bound
            clock[0] = tag_ts[first]
            clock[1] = pghp_ts[bound] if bound >= 0 else -1
            clock[2] = trailing_ts[first]
            clock[3] = reference_us
            o_ts[m] = -1
            o_src[m] = -1
            o_recv[m] = -1
            for j in range(4):
                if clock[j] >= 0:
                    if o_ts[m] < 0:
                        o_ts[m] = clock[j]
                        o_src[m] = j
                    elif o_recv[m] < 0 and j < 3:
                        o_recv[m] = clock[j]
            o_sta[m] = station_start[first]
            o_stb[m] = station_end[first]
            if o_stb[m] <= o_sta[m] and bound >= 0:
                o_sta[m] = pghp_station_start[bound]
                o_stb[m] = pghp_station_end[bound]
    arrays["ascii"] = ascii_a
    arrays["six"] = six_a
    return arrays
