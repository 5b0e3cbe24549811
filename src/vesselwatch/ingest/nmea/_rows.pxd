# cython: language_level=3, cdivision=True
"""The rows of the positions and vessel-report tables, for the compiled decoder (inline).

A message's shared values (:c:type:`Message`), a position report's fields
(``decode_position``), and the writers of a row of each table into the buffers of its
columns (``put_position``, ``put_report``; the value under a null is the one the tables
built with NumPy had there: -1, NaN, 0, or -1 wrapped to 8 or 16 bits). Each row also gets
a word with a validity bit per column; at the end ``vw_bitmaps`` turns those words into
the columns' validity bitmaps and null counts.
"""

from libc.math cimport NAN, fabs
from libc.stdint cimport int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t

from vesselwatch.ingest.nmea._bits cimport Bits, sbits, ubits, vw_text
from vesselwatch.ingest.nmea._rules cimport (
    EtaYears,
    deg_1e4min,
    deg_10min,
    eta_us,
    put_text,
    round_tenth,
    tenths,
)

cdef extern from *:
    """
    static inline int64_t vw_popcount(uint64_t x) {
        x = x - ((x >> 1) & 0x5555555555555555ULL);
        x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
        x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
        return (int64_t)((x * 0x0101010101010101ULL) >> 56);
    }
    /* transpose the 8x8 bit matrix x (byte i, bit j) to (byte j, bit i) (Hacker's Delight) */
    static inline uint64_t vw_transpose8(uint64_t x) {
        uint64_t t;
        t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAULL; x = x ^ t ^ (t << 7);
        t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCULL; x = x ^ t ^ (t << 14);
        t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0ULL; x = x ^ t ^ (t << 28);
        return x;
    }
    /* Column bitmaps (``ncols`` rows of ``nbytes`` in ``out``) from a word per table row
       with a bit per column (``vb``, zero past row n up to a multiple of 8), eight rows by
       eight columns at a time; ``counts``: the bits set in each column. */
    static void vw_bitmaps(const uint32_t* vb, int64_t n, int ncols, uint8_t* out,
                           int64_t nbytes, int64_t* counts) {
        int64_t used = (n + 7) / 8, blk, at, k;
        uint64_t x;
        for (blk = 0; blk < used; blk++) {
            const uint32_t* r = vb + 8 * blk;
            for (int part = 0; part * 8 < ncols; part++) {
                x = 0;
                for (int i = 0; i < 8; i++) x |= (uint64_t)((r[i] >> (8 * part)) & 0xFF) << (8 * i);
                x = vw_transpose8(x);
                for (int j = 0; j < 8 && part * 8 + j < ncols; j++)
                    out[(int64_t)(part * 8 + j) * nbytes + blk] = (uint8_t)(x >> (8 * j));
            }
        }
        for (int c = 0; c < ncols; c++) {
            const uint8_t* col = out + (int64_t)c * nbytes;
            for (k = 0, at = 0; at + 8 <= used; at += 8) {
                memcpy(&x, col + at, 8);
                k += vw_popcount(x);
            }
            for (; at < used; at++) k += vw_popcount(col[at]);
            counts[c] = k;
        }
    }
    """
    void vw_bitmaps(const uint32_t* vb, int64_t n, int ncols, uint8_t* out, int64_t nbytes,
                    int64_t* counts) nogil


# the validity bit of each column in a row's word, in the order of
# _payload.POSITION_BITMAPS and _payload.REPORT_BITMAPS (position_accuracy holds values)
cdef enum:
    P_RECV = 0
    P_LAT = 1
    P_LON = 2
    P_SOG = 3
    P_COG = 4
    P_HEADING = 5
    P_ROT = 6
    P_NAV = 7
    P_ACCURACY = 8
    P_CLASS = 9
    P_ISSUE = 10
    P_STATION = 11
    P_CHANNEL = 12
    P_NBITMAPS = 13

cdef enum:
    R_RECV = 0
    R_PART = 1
    R_CLASS = 2
    R_ISSUE = 3
    R_IMO = 4
    R_NAME = 5
    R_CALLSIGN = 6
    R_SHIP_TYPE = 7
    R_DIMS = 8  # 8..11: bow, stern, port, starboard
    R_LENGTH = 12
    R_WIDTH = 13
    R_DRAUGHT = 14
    R_DESTINATION = 15
    R_ETA = 16
    R_STATION = 17
    R_NBITMAPS = 18

cdef enum:
    NAME_CHARS = 20
    CALLSIGN_CHARS = 7
    DESTINATION_CHARS = 20


# ---- what every row of a message shares
cdef struct Message:
    int64_t t  # message type
    int64_t mmsi
    int64_t ts  # clock (microseconds), its source (index into assemble.TS_SOURCES)
    int64_t src
    int64_t recv  # the next clock present, -1 when none
    int64_t station  # index into the station dictionary, -1 when none
    int64_t line  # input line number of part 1
    int64_t cls  # ais_class and mmsi_issue codes, -1 where null
    int64_t issue
    int64_t nbits  # payload bits (fill bits left out)
    uint64_t hash
    uint8_t channel  # byte, 0 when empty


# ---- positions
cdef struct Position:
    double lat
    double lon
    float sog
    float cog
    float rot
    int64_t heading
    int64_t nav
    uint8_t accuracy


cdef inline int decode_position(const Bits* b, int64_t t, Position* p) noexcept nogil:
    """The fields of a position report of type ``t``, "not available" as NaN or -1. Returns
    the problem found by the range checks of ingest/validate.py: 0 none, else the index
    into ``validate.PROBLEMS`` (2 position outside the earth, 3 course or heading)."""
    cdef int64_t raw, d
    p.lat = NAN
    p.lon = NAN
    p.sog = NAN
    p.cog = NAN
    p.rot = NAN
    p.heading = -1
    p.nav = -1
    p.accuracy = 0
    if t == 1 or t == 2 or t == 3 or t == 9 or t == 18 or t == 19:
        # class A (1-3), SAR aircraft (9) and class B (18, 19) position reports share one
        # layout; class B's fields stand 4 bits earlier
        d = -4 if t >= 18 else 0
        p.accuracy = <uint8_t>ubits(b, 60 + d, 1)
        p.lon = deg_1e4min(sbits(b, 61 + d, 28))
        p.lat = deg_1e4min(sbits(b, 89 + d, 27))
        p.cog = tenths(ubits(b, 116 + d, 12), 3600)
        if t == 9:  # whole knots, 1023 = not available; no heading
            raw = <int64_t>ubits(b, 50, 10)
            if raw != 1023:
                p.sog = raw
        else:
            p.sog = tenths(ubits(b, 50 + d, 10), 1023)
            p.heading = <int64_t>ubits(b, 128 + d, 9)
        if t <= 3:
            p.nav = <int64_t>ubits(b, 38, 4)
            raw = sbits(b, 42, 8)
            if raw > -127 and raw < 127:
                p.rot = (raw / 4.733) * (raw / 4.733) * (1 if raw >= 0 else -1)
    elif t == 4:
        p.accuracy = <uint8_t>ubits(b, 78, 1)
        p.lon = deg_1e4min(sbits(b, 79, 28))
        p.lat = deg_1e4min(sbits(b, 107, 27))
    elif t == 27:
        p.accuracy = <uint8_t>ubits(b, 38, 1)
        p.nav = <int64_t>ubits(b, 40, 4)
        raw = sbits(b, 44, 18)
        p.lon = 181.0 if raw == 181 * 600 else deg_10min(raw)
        raw = sbits(b, 62, 17)
        p.lat = 91.0 if raw == 91 * 600 else deg_10min(raw)
        raw = <int64_t>ubits(b, 79, 6)
        if raw != 63:
            p.sog = raw
        raw = <int64_t>ubits(b, 85, 9)
        if raw != 511:
            p.cog = raw
    # AIS "not available" to null, then the range checks (a test keeps them in step)
    if p.lat == 91.0:
        p.lat = NAN
    if p.lon == 181.0:
        p.lon = NAN
    if p.heading == 511:
        p.heading = -1
    if fabs(p.lat) > 90.0 or fabs(p.lon) > 180.0:
        return 2
    if p.cog >= 360.0 or p.heading > 359:
        return 3
    return 0


cdef struct PositionColumns:
    int64_t rows
    uint32_t* valid  # a bit per column (P_*) per row
    uint32_t* mmsi
    int64_t* ts
    int32_t* src
    int64_t* recv
    double* lat
    double* lon
    float* sog
    float* cog
    uint16_t* heading
    float* rot
    uint8_t* nav
    uint8_t* msg_type
    int32_t* cls
    int32_t* issue
    int32_t* station
    int32_t* channel
    int64_t* line
    uint64_t* hash


cdef inline void put_position(PositionColumns* c, const Message* m, const Position* p
                              ) noexcept nogil:
    """A position row."""
    cdef int64_t r = c.rows
    cdef uint32_t vb = 0
    c.mmsi[r] = <uint32_t>m.mmsi
    c.ts[r] = m.ts
    c.src[r] = <int32_t>m.src
    c.recv[r] = m.recv
    vb |= <uint32_t>(m.recv >= 0) << P_RECV
    c.lat[r] = p.lat
    vb |= <uint32_t>(p.lat == p.lat) << P_LAT
    c.lon[r] = p.lon
    vb |= <uint32_t>(p.lon == p.lon) << P_LON
    c.sog[r] = p.sog
    vb |= <uint32_t>(p.sog == p.sog) << P_SOG
    c.cog[r] = p.cog
    vb |= <uint32_t>(p.cog == p.cog) << P_COG
    c.heading[r] = <uint16_t>p.heading
    vb |= <uint32_t>(p.heading >= 0) << P_HEADING
    c.rot[r] = round_tenth(p.rot)
    vb |= <uint32_t>(p.rot == p.rot) << P_ROT
    c.nav[r] = <uint8_t>p.nav
    vb |= <uint32_t>(p.nav >= 0) << P_NAV
    vb |= <uint32_t>p.accuracy << P_ACCURACY
    c.msg_type[r] = <uint8_t>m.t
    c.cls[r] = <int32_t>m.cls
    vb |= <uint32_t>(m.cls >= 0) << P_CLASS
    c.issue[r] = <int32_t>m.issue
    vb |= <uint32_t>(m.issue >= 0) << P_ISSUE
    c.station[r] = <int32_t>(m.station if m.station >= 0 else 0)
    vb |= <uint32_t>(m.station >= 0) << P_STATION
    c.channel[r] = m.channel
    vb |= <uint32_t>(m.channel != 0) << P_CHANNEL
    c.line[r] = m.line
    c.hash[r] = m.hash
    c.valid[r] = vb
    c.rows = r + 1


# ---- vessel reports
cdef struct ReportColumns:
    int64_t rows
    uint32_t* valid  # a bit per column (R_*) per row
    int64_t cap
    uint32_t* mmsi
    int64_t* ts
    int32_t* src
    int64_t* recv
    uint8_t* msg_type
    uint8_t* part
    int32_t* cls
    int32_t* issue
    uint32_t* imo
    uint8_t* ship_type
    uint16_t* dims  # 4 rows of ``cap``: bow, stern, port, starboard
    float* length
    float* width
    float* draught
    int64_t* eta
    int32_t* station
    int64_t* line
    uint64_t* hash
    int32_t* name_offsets  # the string columns: offsets, bytes, bytes used
    uint8_t* name
    int64_t name_used
    int32_t* callsign_offsets
    uint8_t* callsign
    int64_t callsign_used
    int32_t* destination_offsets
    uint8_t* destination
    int64_t destination_used
    EtaYears eta_years


cdef inline bint put_text_column(const Bits* b, int64_t nbits, int off, int nchars,
                                 uint8_t* data, int64_t* used, int32_t* offsets, int64_t r
                                 ) noexcept nogil:
    """The text at bit ``off`` (``off`` < 0: none) as row ``r`` of a string column; whether
    it is there (not null)."""
    cdef uint8_t text[NAME_CHARS + 8]  # vw_text writes eight characters at a time
    cdef int64_t end = -1
    if off >= 0:
        vw_text(b.w, nbits, off, nchars, text)
        end = put_text(text, nchars, data, used[0])
    if end >= 0:
        used[0] = end
    offsets[r + 1] = <int32_t>used[0]
    return end >= 0


cdef inline void put_report(ReportColumns* c, const Message* m, const Bits* b) noexcept nogil:
    """A vessel-report row (types 5, 19, 24 part A or B)."""
    cdef int64_t r = c.rows, t = m.t, part = -1, imo = 0, ship_type = 0, j, length, width
    cdef int64_t dims[4]
    cdef int64_t eta[4]
    cdef double draught = 0.0
    cdef uint32_t vb = 0
    if t == 24:
        part = <int64_t>ubits(b, 38, 2)
    dims[0] = dims[1] = dims[2] = dims[3] = 0
    eta[0] = eta[1] = eta[2] = eta[3] = 0
    c.mmsi[r] = <uint32_t>m.mmsi
    c.ts[r] = m.ts
    c.src[r] = <int32_t>m.src
    c.recv[r] = m.recv
    vb |= <uint32_t>(m.recv >= 0) << R_RECV
    c.msg_type[r] = <uint8_t>t
    # the string columns: null where the type or part has no such field
    vb |= <uint32_t>put_text_column(
        b, m.nbits, 112 if t == 5 else (143 if t == 19 else (40 if part == 0 else -1)),
        NAME_CHARS, c.name, &c.name_used, c.name_offsets, r) << R_NAME
    vb |= <uint32_t>put_text_column(
        b, m.nbits, 70 if t == 5 else (90 if part == 1 else -1),
        CALLSIGN_CHARS, c.callsign, &c.callsign_used, c.callsign_offsets, r) << R_CALLSIGN
    vb |= <uint32_t>put_text_column(
        b, m.nbits, 302 if t == 5 else -1,
        DESTINATION_CHARS, c.destination, &c.destination_used, c.destination_offsets,
        r) << R_DESTINATION
    if t == 19:
        ship_type = <int64_t>ubits(b, 263, 8)
        dims[0] = <int64_t>ubits(b, 271, 9)
        dims[1] = <int64_t>ubits(b, 280, 9)
        dims[2] = <int64_t>ubits(b, 289, 6)
        dims[3] = <int64_t>ubits(b, 295, 6)
    elif t == 5:
        imo = <int64_t>ubits(b, 40, 30)
        ship_type = <int64_t>ubits(b, 232, 8)
        dims[0] = <int64_t>ubits(b, 240, 9)
        dims[1] = <int64_t>ubits(b, 249, 9)
        dims[2] = <int64_t>ubits(b, 258, 6)
        dims[3] = <int64_t>ubits(b, 264, 6)
        eta[0] = <int64_t>ubits(b, 274, 4)
        eta[1] = <int64_t>ubits(b, 278, 5)
        eta[2] = <int64_t>ubits(b, 283, 5)
        eta[3] = <int64_t>ubits(b, 288, 6)
        draught = ubits(b, 294, 8) / 10.0
    elif part == 1:
        ship_type = <int64_t>ubits(b, 40, 8)
        # an auxiliary craft (98MIDxxxx) sends its mother ship's MMSI here
        if m.mmsi // 10000000 != 98:
            dims[0] = <int64_t>ubits(b, 132, 9)
            dims[1] = <int64_t>ubits(b, 141, 9)
            dims[2] = <int64_t>ubits(b, 150, 6)
            dims[3] = <int64_t>ubits(b, 156, 6)
    c.part[r] = <uint8_t>part
    vb |= <uint32_t>(part >= 0) << R_PART
    c.cls[r] = <int32_t>m.cls
    vb |= <uint32_t>(m.cls >= 0) << R_CLASS
    c.issue[r] = <int32_t>m.issue
    vb |= <uint32_t>(m.issue >= 0) << R_ISSUE
    c.imo[r] = <uint32_t>imo
    vb |= <uint32_t>(imo >= 1) << R_IMO
    c.ship_type[r] = <uint8_t>ship_type
    vb |= <uint32_t>(ship_type >= 1) << R_SHIP_TYPE
    for j in range(4):
        c.dims[j * c.cap + r] = <uint16_t>dims[j]
        vb |= <uint32_t>(dims[j] >= 1) << (R_DIMS + j)
    length = dims[0] + dims[1] if dims[0] > 0 and dims[1] > 0 else 0
    width = dims[2] + dims[3] if dims[2] > 0 and dims[3] > 0 else 0
    c.length[r] = <float>length
    vb |= <uint32_t>(length > 0) << R_LENGTH
    c.width[r] = <float>width
    vb |= <uint32_t>(width > 0) << R_WIDTH
    c.draught[r] = <float>draught
    vb |= <uint32_t>(draught > 0) << R_DRAUGHT
    c.eta[r] = eta_us(m.ts, eta[0], eta[1], eta[2], eta[3], &c.eta_years) if t == 5 else -1
    vb |= <uint32_t>(c.eta[r] >= 0) << R_ETA
    c.station[r] = <int32_t>(m.station if m.station >= 0 else 0)
    vb |= <uint32_t>(m.station >= 0) << R_STATION
    c.line[r] = m.line
    c.hash[r] = m.hash
    c.valid[r] = vb
    c.rows = r + 1


# ---- rejects: the message's part-1 line, which multi-sentence message (-1: none), why
cdef struct Rejects:
    int64_t n
    int64_t* line
    int64_t* multi
    int64_t* code


cdef inline void put_reject(Rejects* c, int64_t line, int64_t multi, int64_t code
                            ) noexcept nogil:
    c.line[c.n] = line
    c.multi[c.n] = multi
    c.code[c.n] = code
    c.n += 1
