# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The NMEA line hot loop, compiled: take every line of a buffer apart in one pass.

- ``frame_lines(buf, spare)``: every line of a buffer taken apart (tag block, checksum, the
  fields of ``!ccVDM``/``!ccVDO``, ``$PGHP`` times, trailing receive times) into a record
  per line (``_line.pxd``), one pass; also the AIS sentences that are messages of their
  own, those that are parts of multi-sentence messages, the rejects, and the count of each
  line kind;
- ``gather_ranges(buf, a, b)``: byte ranges concatenated.

No Python object is made per line, and every output slot is written once (no zero-fill);
``spare`` keeps the output arrays from one buffer to the next, so a reader going through a
file in chunks allocates (and page-faults) them once. Joining multi-sentence messages is
``assemble.py``; binding clocks and decoding payloads is ``_payload.pyx``.
"""

import numpy as np

cimport numpy as cnp
from libc.stdint cimport int8_t, int16_t, int32_t, int64_t, uint8_t, uint64_t

from vesselwatch.ingest.nmea._civil cimport days_from_civil
from vesselwatch.ingest.nmea._line cimport Line
from libc.string cimport memchr, memcpy

cnp.import_array()

cdef extern from *:
    """
    #include <stdint.h>
    #include <string.h>
    #if defined(__GNUC__)
    #define VW_INLINE static inline __attribute__((always_inline))
    #else
    #define VW_INLINE static inline
    #endif
    /* lowest set bit; the SWAR scans below need the byte order of a little-endian load */
    #if defined(_MSC_VER)
    #include <intrin.h>
    VW_INLINE int vw_ctz64(uint64_t x) { unsigned long i; _BitScanForward64(&i, x); return (int)i; }
    #else
    VW_INLINE int vw_ctz64(uint64_t x) { return __builtin_ctzll(x); }
    #endif
    VW_INLINE uint64_t vw_load_le64(const uint8_t* p) {
        uint64_t w;
        memcpy(&w, p, 8);
    #if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        w = __builtin_bswap64(w);
    #endif
        return w;
    }
    /* the eight bytes at b[q:], those at or after ``end`` read as 0; never reads b[lim:] */
    VW_INLINE uint64_t vw_word(const uint8_t* b, int64_t q, int64_t end, int64_t lim) {
        uint64_t w;
        if (q + 8 <= lim) {
            w = vw_load_le64(b + q);
        } else {
            uint8_t tmp[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            memcpy(tmp, b + q, (size_t)(lim - q));
            w = vw_load_le64(tmp);
        }
        if (q + 8 > end) w &= (((uint64_t)1) << (8 * (end - q))) - 1;
        return w;
    }
    /* the low j bytes of a word (j in 0..7) */
    VW_INLINE uint64_t vw_low(int64_t j) { return (((uint64_t)1) << (8 * j)) - 1; }
    /* 0x80 in every byte of w equal to the byte c, exactly (no borrow between bytes) */
    VW_INLINE uint64_t vw_eq_bytes(uint64_t w, uint8_t c) {
        const uint64_t lo7 = 0x7F7F7F7F7F7F7F7FULL;
        uint64_t y = w ^ (0x0101010101010101ULL * c);
        return ~(((y & lo7) + lo7) | y | lo7);
    }
    /* the XOR of the eight bytes of w */
    VW_INLINE int vw_fold(uint64_t acc) {
        acc ^= acc >> 32; acc ^= acc >> 16; acc ^= acc >> 8;
        return (int)(acc & 0xFF);
    }
    /* the value of a hexadecimal digit, -1 if c is none */
    VW_INLINE int vw_hex(uint8_t c) {
        uint8_t lower = (uint8_t)(c | 0x20);
        if ((uint8_t)(c - '0') < 10) return c - '0';
        if ((uint8_t)(lower - 'a') < 6) return lower - 'a' + 10;
        return -1;
    }
    /* 1 when every byte of b[s:e] is below 128 */
    VW_INLINE int vw_ascii(const uint8_t* b, int64_t s, int64_t e, int64_t lim) {
        uint64_t acc = 0;
        for (int64_t q = s; q < e; q += 8) acc |= vw_word(b, q, e, lim);
        return (acc & 0x8080808080808080ULL) == 0;
    }
    /* decimal value of b[0:n]; -1 when empty, longer than maxd or not all digits. Eight
       digits at a time: a digit check and three multiplies (the simdjson trick) */
    VW_INLINE int64_t vw_digits(const uint8_t* b, int64_t n, int maxd) {
        int64_t v = 0;
        uint64_t w;
        if (n <= 0 || n > maxd) return -1;
        while (n >= 8) {
            w = vw_load_le64(b);
            if (((w - 0x3030303030303030ULL) | (w + 0x4646464646464646ULL)) & 0x8080808080808080ULL)
                return -1;
            w = ((w & 0x0F0F0F0F0F0F0F0FULL) * 2561) >> 8;
            w = ((w & 0x00FF00FF00FF00FFULL) * 6553601) >> 16;
            w = ((w & 0x0000FFFF0000FFFFULL) * 42949672960001ULL) >> 32;
            v = v * 100000000 + (int64_t)w;
            b += 8;
            n -= 8;
        }
        for (; n > 0; n--, b++) {
            if ((uint8_t)(*b - '0') > 9) return -1;
            v = v * 10 + (*b - '0');
        }
        return v;
    }
    """
    int vw_ctz64(uint64_t x) nogil
    uint64_t vw_load_le64(const uint8_t* p) nogil
    uint64_t vw_word(const uint8_t* b, int64_t q, int64_t end, int64_t lim) nogil
    uint64_t vw_low(int64_t j) nogil
    uint64_t vw_eq_bytes(uint64_t w, uint8_t c) nogil
    int vw_fold(uint64_t acc) nogil
    int vw_hex(uint8_t c) nogil
    int vw_ascii(const uint8_t* b, int64_t s, int64_t e, int64_t lim) nogil
    int64_t vw_digits(const uint8_t* b, int64_t n, int maxd) nogil

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


def _record_dtype():
    """The NumPy dtype of a ``Line`` record, offsets as the compiler laid the struct out."""
    cdef Line probe
    cdef char* at = <char*>&probe
    fields = [
        ("tag_ts", np.int64, <char*>&probe.tag_ts - at),
        ("trailing_ts", np.int64, <char*>&probe.trailing_ts - at),
        ("pghp_ts", np.int64, <char*>&probe.pghp_ts - at),
        ("group_id", np.int64, <char*>&probe.group_id - at),
        ("start", np.int32, <char*>&probe.start - at),
        ("end", np.int32, <char*>&probe.end - at),
        ("pay_start", np.int32, <char*>&probe.pay_start - at),
        ("pay_len", np.int32, <char*>&probe.pay_len - at),
        ("station_start", np.int32, <char*>&probe.station_start - at),
        ("station_end", np.int32, <char*>&probe.station_end - at),
        ("pghp_station_start", np.int32, <char*>&probe.pghp_station_start - at),
        ("pghp_station_end", np.int32, <char*>&probe.pghp_station_end - at),
        ("checksum", np.int16, <char*>&probe.checksum - at),
        ("pghp_target", np.int16, <char*>&probe.pghp_target - at),
        ("kind", np.int8, <char*>&probe.kind - at),
        ("reason", np.int8, <char*>&probe.reason - at),
        ("total", np.int8, <char*>&probe.total - at),
        ("num", np.int8, <char*>&probe.num - at),
        ("seq", np.int8, <char*>&probe.seq - at),
        ("own", np.int8, <char*>&probe.own - at),
        ("fill", np.int8, <char*>&probe.fill - at),
        ("group_num", np.int8, <char*>&probe.group_num - at),
        ("group_total", np.int8, <char*>&probe.group_total - at),
        ("channel", np.uint8, <char*>&probe.channel - at),
    ]
    return np.dtype({"names": [f[0] for f in fields], "formats": [f[1] for f in fields],
                     "offsets": [f[2] for f in fields], "itemsize": sizeof(Line)})


# one record per line (see framing.Lines and _line.pxd)
LINE = _record_dtype()


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


cdef inline int64_t digits(const uint8_t* b, int64_t a, int64_t e, int maxd) noexcept nogil:
    """Decimal value of b[a:e]; -1 when empty, too long or not all digits."""
    return vw_digits(b + a, e - a, maxd)


cdef inline int64_t digit1(const uint8_t* b, int64_t a, int64_t e) noexcept nogil:
    """The one decimal digit b[a:e]; -1 when that is not one digit."""
    if e - a != 1 or b[a] < 48 or b[a] > 57:
        return -1
    return b[a] - 48


cdef inline void tag_field(const uint8_t* b, int64_t fs, int64_t fe, Line* o,
                           bint* bad_time) noexcept nogil:
    """One field of a tag block: ``c:`` (time), ``s:`` (station) or ``g:`` (group)."""
    cdef int64_t j, q, v, f0, f1, f2
    cdef uint8_t c
    if fe - fs < 2 or b[fs + 1] != 58:
        return
    c = b[fs]
    if c == 99:  # c: time
        v = digits(b, fs + 2, fe, 13)
        if v < 0:
            bad_time[0] = True
        else:
            o.tag_ts = clock_us(v)
    elif c == 115:  # s: station
        o.station_start = <int32_t>(fs + 2)
        o.station_end = <int32_t>fe
    elif c == 103:  # g: part-total-id
        j = fs + 2
        while j < fe and b[j] != 45:
            j += 1
        q = j + 1
        while q < fe and b[q] != 45:
            q += 1
        f0 = digits(b, fs + 2, j, 2)
        f1 = digits(b, j + 1, q, 2)
        f2 = digits(b, q + 1, fe, 12)
        if f0 >= 0 and f1 >= 0 and f2 >= 0:
            o.group_num = <int8_t>f0
            o.group_total = <int8_t>f1
            o.group_id = f2


cdef struct Scan:
    int64_t at  # where the stop byte is (the end of the range if nowhere)
    int64_t until  # the end of the bytes looked at
    int64_t ncomma  # commas before ``at`` (the first 16 in ``commas``)
    int x  # XOR of the bytes before ``at``
    uint64_t high  # OR of the bytes looked at, in their high bits (non-ASCII)
    int64_t commas[16]


cdef inline void scan(const uint8_t* b, int64_t q, int64_t e, int64_t lim, uint8_t stop,
                      Scan* out) noexcept nogil:
    """Scan b[q:e] eight bytes at a time up to the first ``stop`` byte (see ``Scan``);
    commas after ``stop`` never count, also when ``stop`` opens an eight-byte word (an
    earlier version counted them, and so refused sentences whose body before '*' is a
    multiple of 8 long followed by a trailing receive time)."""
    cdef uint64_t word, mstop, mcomma, acc = 0, keep, high = 0
    cdef int64_t j, at = e, ncomma = 0
    while q < e:
        word = vw_word(b, q, e, lim)
        high |= word
        mstop = vw_eq_bytes(word, stop)
        mcomma = vw_eq_bytes(word, 44)
        if mstop:
            j = vw_ctz64(mstop) >> 3
            at = q + j
            keep = vw_low(j)
            acc ^= word & keep
            mcomma &= keep
        else:
            acc ^= word
        while mcomma:
            if ncomma < 16:
                out.commas[ncomma] = q + (vw_ctz64(mcomma) >> 3)
            ncomma += 1
            mcomma &= mcomma - 1
        q += 8
        if mstop:
            break
    out.at = at
    out.until = q if q < e else e
    out.ncomma = ncomma
    out.x = vw_fold(acc)
    out.high = high & 0x8080808080808080ULL


cdef inline void parse_line(const uint8_t* b, int64_t s, int64_t e, int64_t lim,
                            Line* o) noexcept nogil:
    """Take one line ``b[s:e]`` apart into ``o`` (which holds the defaults); ``b[:lim]`` is
    the buffer. A line with a byte outside ASCII is ``bad_format`` whatever else is wrong
    with it: the scans collect the bytes' high bits, and the rest is looked at once the
    verdict is known (``ascii_from``)."""
    cdef int64_t p, q, j, star, fc, given, v, fs
    cdef int64_t f[8]
    cdef int h1, h2
    cdef int64_t ascii_from = s
    cdef uint64_t high = 0
    cdef bint bad_time = False
    cdef Scan sc
    while e > s and (b[e - 1] == 13 or b[e - 1] == 32 or b[e - 1] == 9):
        e -= 1
    while e > s and (b[s] == 32 or b[s] == 9 or b[s] == 13):
        s += 1
    o.start = <int32_t>s
    o.end = <int32_t>e
    if e == s:
        o.kind = EMPTY
        return
    if e - s > MAX_LINE_BYTES:
        o.reason = R_TOO_LONG
        return
    ascii_from = s
    p = s
    while True:  # the verdict; ``break`` to the ASCII check
        # ---- tag block \key:value,key:value*hh\
        if b[p] == 92:
            scan(b, p + 1, e, lim, 92, &sc)  # up to the closing '\'
            high = sc.high
            q = sc.at
            star = q - 3
            if q >= e or star <= p or b[star] != 42:
                o.reason = R_TAG_BLOCK
                break
            h1 = vw_hex(b[star + 1])
            h2 = vw_hex(b[star + 2])
            if h1 < 0 or h2 < 0 or (sc.x ^ 42 ^ b[star + 1] ^ b[star + 2]) != h1 * 16 + h2:
                o.reason = R_TAG_BLOCK
                break
            # the fields between the commas (there are none in '*hh'); past the 16 commas
            # the scan keeps, the next ones are looked for byte by byte
            fs = p + 1
            j = 0
            while fs < star:
                if j < sc.ncomma and j < 16:
                    q = sc.commas[j]
                elif j >= sc.ncomma:
                    q = star
                else:
                    q = fs
                    while q < star and b[q] != 44:
                        q += 1
                j += 1
                tag_field(b, fs, q, o, &bad_time)
                fs = q + 1
            p = star + 4
        if p >= e or (b[p] != 33 and b[p] != 36):
            o.reason = R_FORMAT
            break
        # ---- checksum: XOR of everything between the start character and '*', and the
        # commas before '*': one pass, eight bytes at a time
        scan(b, p + 1, e, lim, 42, &sc)
        star = sc.at
        # with the tag block scan (and b[s], b[p], checked above), every byte up to
        # sc.until has been looked at
        high |= sc.high
        ascii_from = sc.until
        if star + 3 > e or sc.ncomma == 0:
            o.reason = R_FORMAT
            break
        h1 = vw_hex(b[star + 1])
        h2 = vw_hex(b[star + 2])
        if h1 < 0 or h2 < 0:
            o.reason = R_FORMAT
            break
        fc = sc.commas[0]
        if fc - p - 1 < 2 or fc - p - 1 > 7:
            o.reason = R_FORMAT
            break
        given = h1 * 16 + h2
        if sc.x != given:
            o.reason = R_CHECKSUM
            break
        o.checksum = <int16_t>given
        if star + 3 < e and b[star + 3] == 44:
            o.trailing_ts = clock_us(vw_digits(b + star + 4, e - star - 4, 13))
        if bad_time:
            o.reason = R_TIME
            break
        # ---- !ccVDM / !ccVDO
        if b[p] == 33 and fc == p + 6 and b[p + 3] == 86 and b[p + 4] == 68 and (b[p + 5] == 77 or b[p + 5] == 79):
            if sc.ncomma != 6 or sc.commas[5] + 2 != star:
                o.reason = R_FORMAT
                break
            f[0] = digit1(b, sc.commas[0] + 1, sc.commas[1])
            f[1] = digit1(b, sc.commas[1] + 1, sc.commas[2])
            v = b[star - 1] - 48
            if f[0] < 1 or f[1] < 1 or f[1] > f[0] or v < 0 or v > 5 or sc.commas[4] - sc.commas[3] > 2:
                o.reason = R_FORMAT
                break
            if sc.commas[3] != sc.commas[2] + 1:
                f[2] = digit1(b, sc.commas[2] + 1, sc.commas[3])
                if f[2] < 0:
                    o.reason = R_FORMAT
                    break
                o.seq = <int8_t>f[2]
            o.total = <int8_t>f[0]
            o.num = <int8_t>f[1]
            o.channel = b[sc.commas[3] + 1] if sc.commas[4] == sc.commas[3] + 2 else 0
            o.pay_start = <int32_t>(sc.commas[4] + 1)
            o.pay_len = <int32_t>(sc.commas[5] - sc.commas[4] - 1)
            o.fill = <int8_t>v
            o.own = b[p + 5] == 79
            o.kind = AIS
        # ---- $PGHP,1,y,m,d,H,M,S,ms,mid,region,station,online,cs*hh
        elif b[p] == 36 and fc == p + 5 and b[p + 1] == 80 and b[p + 2] == 71 and b[p + 3] == 72 and b[p + 4] == 80:
            if sc.ncomma != 13 or digit1(b, sc.commas[0] + 1, sc.commas[1]) != 1:
                o.kind = OTHER
                break
            for j in range(7):
                f[j] = vw_digits(b + sc.commas[j + 1] + 1, sc.commas[j + 2] - sc.commas[j + 1] - 1,
                                 4 if j == 0 else 3)
            h1 = vw_hex(b[sc.commas[12] + 1])
            h2 = vw_hex(b[sc.commas[12] + 2])
            if (sc.commas[12] + 3 != star or h1 < 0 or h2 < 0
                    or f[0] < 1970 or f[0] > 2200 or f[1] < 1 or f[1] > 12 or f[2] < 1
                    or f[2] > days_in_month(f[0], f[1]) or f[3] < 0 or f[3] > 23 or f[4] < 0
                    or f[4] > 59 or f[5] < 0 or f[5] > 60 or f[6] < 0 or f[6] > 999):
                o.reason = R_TIME
                break
            o.pghp_ts = ((((days_from_civil(f[0], f[1], f[2]) * 24 + f[3]) * 60 + f[4]) * 60 + f[5])
                         * US_PER_S + f[6] * 1000)
            o.pghp_target = <int16_t>(h1 * 16 + h2)
            o.pghp_station_start = <int32_t>(sc.commas[10] + 1)
            o.pghp_station_end = <int32_t>sc.commas[11]
            o.kind = PGHP
        else:
            o.kind = OTHER
        break
    if ascii_from == s:  # a verdict before the sentence scan: look at the whole line again
        high = 0
    if high or not vw_ascii(b, ascii_from, e, lim):
        line_defaults(o)
        o.start = <int32_t>s
        o.end = <int32_t>e
        o.reason = R_FORMAT


cdef inline void line_defaults(Line* o) noexcept nogil:
    o.kind = REJECT
    o.reason = -1
    o.total = 0
    o.num = 0
    o.seq = -1
    o.channel = 0
    o.own = 0
    o.pay_start = 0
    o.pay_len = 0
    o.fill = 0
    o.checksum = -1
    o.tag_ts = -1
    o.trailing_ts = -1
    o.pghp_ts = -1
    o.pghp_target = -1
    o.pghp_station_start = 0
    o.pghp_station_end = 0
    o.station_start = 0
    o.station_end = 0
    o.group_id = -1
    o.group_num = -1
    o.group_total = -1


cdef struct Out:
    Line* lines
    int64_t* single
    int64_t* multi
    int64_t* rejects


cdef dict _outputs(int64_t cap, int64_t keep, dict old, dict spare, Out* o):
    """Room for ``cap`` lines (the first ``keep`` copied from ``old``), pointers in ``o``."""
    arrays = {}
    for name, dtype in (("lines", LINE), ("single", np.int64), ("multi", np.int64),
                        ("rejects", np.int64)):
        a = spare.get(name) if spare is not None else None
        if a is None or a.shape[0] < cap:
            a = np.empty(cap, dtype)
            if keep:
                a[:keep] = old[name][:keep]
            if spare is not None:
                spare[name] = a
        arrays[name] = a
    o.lines = <Line*>cnp.PyArray_DATA(<cnp.ndarray>arrays["lines"])
    o.single = <int64_t*>cnp.PyArray_DATA(<cnp.ndarray>arrays["single"])
    o.multi = <int64_t*>cnp.PyArray_DATA(<cnp.ndarray>arrays["multi"])
    o.rejects = <int64_t*>cnp.PyArray_DATA(<cnp.ndarray>arrays["rejects"])
    return arrays


cdef int64_t frame_span(const uint8_t* base, int64_t nbuf, int64_t* at, int64_t* line_begin,
                        Out* out, int64_t k, int64_t cap, int64_t* counts, int64_t* nlist
                        ) noexcept nogil:
    """Take lines apart from ``at`` on into ``out`` (line ``k`` on) until the buffer ends or
    ``cap`` lines are there; return the next line index. ``nlist``: how many single, multi
    and reject lines are listed."""
    cdef const uint8_t* hit
    cdef int64_t i
    cdef Line* o
    while at[0] < nbuf and k < cap:
        hit = <const uint8_t*>memchr(base + at[0], 10, nbuf - at[0])
        if hit == NULL:
            at[0] = nbuf
            break
        i = hit - base
        at[0] = i + 1
        o = &out.lines[k]
        line_defaults(o)
        parse_line(base, line_begin[0], i, nbuf, o)
        line_begin[0] = i + 1
        counts[o.kind] += 1
        if o.kind == AIS:
            if o.total == 1:
                out.single[nlist[0]] = k
                nlist[0] += 1
            else:
                out.multi[nlist[1]] = k
                nlist[1] += 1
        elif o.kind == REJECT:
            out.rejects[nlist[2]] = k
            nlist[2] += 1
        k += 1
    return k


def frame_lines(const uint8_t[::1] buf, dict spare=None):
    """Take apart every line of ``buf`` (which ends with a newline).

    Returns a dict: ``records``, one ``LINE`` record per line; ``single``, ``multi`` and
    ``rejects``, the line indices of the AIS sentences with one part, of those with more,
    and of the rejects, in line order; ``counts``, how many lines there are of each kind.
    With ``spare`` (a dict kept by the caller) the arrays are views of arrays kept there,
    reused by the next call: the previous call's results are overwritten.
    """
    cdef int64_t nbuf = buf.shape[0]
    cdef const uint8_t* base = &buf[0] if nbuf > 0 else NULL
    cdef int64_t at = 0, k = 0, line_begin = 0
    cdef int64_t nlist[3]
    nlist[0] = 0
    nlist[1] = 0
    nlist[2] = 0
    # room for a line every 48 bytes (the captures average 65), doubled when short
    cdef int64_t cap = nbuf // 48 + 64
    if spare is not None and "lines" in spare:
        cap = max(cap, spare["lines"].shape[0])
    cdef Out out
    arrays = _outputs(cap, 0, None, spare, &out)
    counts_a = np.zeros(5, np.int64)
    cdef int64_t[::1] counts = counts_a
    while True:
        with nogil:
            k = frame_span(base, nbuf, &at, &line_begin, &out, k, cap, &counts[0], nlist)
        if at >= nbuf:
            break
        cap *= 2
        arrays = _outputs(cap, k, arrays, spare, &out)
    return {
        "records": arrays["lines"][:k], "single": arrays["single"][:nlist[0]],
        "multi": arrays["multi"][:nlist[1]], "rejects": arrays["rejects"][:nlist[2]],
        "counts": counts_a,
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
