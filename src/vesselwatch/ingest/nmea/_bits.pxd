# cython: language_level=3, cdivision=True
"""AIS payload bits, for the compiled decoder (inline: no call across modules).

``vw_payload`` reads a payload once: its FNV-1a 64 hash (the duplicate key), whether every
character is in the 6-bit alphabet (ITU-R M.1371-5 Table 47), and its first ``PACK_CHARS``
characters packed six bits each, most significant bit first, into the words of a
:c:type:`Bits`; bits past the payload read 0. Every field the decoder reads lies within
them (the last one ends at bit 422, type 5's destination). ``ubits``/``sbits`` read a field,
``vw_text`` a 6-bit ASCII text, eight characters at a time.
"""

from libc.stdint cimport int64_t, uint8_t, uint64_t

cdef extern from *:
    """
    #include <stdint.h>
    #include <string.h>
    #define VW_ONES 0x0101010101010101ULL
    #define VW_HIGH 0x8080808080808080ULL
    #define VW_FNV_OFFSET 0xCBF29CE484222325ULL
    #define VW_FNV_PRIME 0x100000001B3ULL
    #if defined(__GNUC__)
    #define VW_NOINLINE __attribute__((noinline))
    #else
    #define VW_NOINLINE
    #endif
    /* the 6-bit value of each payload character; 255 if it is none */
    static uint8_t vw_armour[256];
    static void vw_armour_init(void) {
        for (int c = 0; c < 256; c++)
            vw_armour[c] = (c >= 48 && c <= 87) ? c - 48 : ((c >= 96 && c <= 119) ? c - 56 : 255);
    }
    /* The payload p[0:n]: its hash into *hash, and the 6-bit values of its first ``pack``
       characters (at most 80) into the eight words of w, ten characters (60 bits) at a
       time, the rest of w zero. Returns nonzero when a character is outside the alphabet.
       A function of its own, so that its loops keep everything in registers, and every
       word of w is written once, whole: no read-modify-write of memory. The hash is one
       chain of multiplies, the time this takes; the rest runs beside it. */
    static VW_NOINLINE int vw_payload(const uint8_t* p, int64_t n, int64_t pack, uint64_t* w,
                                      uint64_t* hash) {
        uint64_t h = VW_FNV_OFFSET, cur = 0, g;
        unsigned bad = 0;
        int filled = 0, wi = 0, i, r;
        int64_t j = 0;
        uint8_t c, v;
        if (pack > n) pack = n;
        while (j < pack) {
            r = pack - j < 10 ? (int)(pack - j) : 10;
            g = 0;
            if (r == 10) {  /* the common case: a loop of fixed length, unrolled */
                for (i = 0; i < 10; i++) {
                    c = p[j + i];
                    v = vw_armour[c];
                    h = (h ^ c) * VW_FNV_PRIME;
                    bad |= v;
                    g = (g << 6) | (v & 63);
                }
            } else {
                for (i = 0; i < r; i++) {
                    c = p[j + i];
                    v = vw_armour[c];
                    h = (h ^ c) * VW_FNV_PRIME;
                    bad |= v;
                    g = (g << 6) | (v & 63);
                }
                g <<= 6 * (10 - r);
            }
            j += r;
            /* append the 60 bits of g to the words */
            if (64 - filled >= 60) {
                cur |= g << (64 - filled - 60);
                filled += 60;
                if (filled == 64) { w[wi++] = cur; cur = 0; filled = 0; }
            } else {
                cur |= g >> (60 - (64 - filled));
                w[wi++] = cur;
                filled = 60 - (64 - filled);
                cur = g << (64 - filled);
            }
        }
        if (filled) w[wi++] = cur;
        for (; wi < 8; wi++) w[wi] = 0;
        for (; j < n; j++) {
            c = p[j];
            h = (h ^ c) * VW_FNV_PRIME;
            bad |= vw_armour[c];
        }
        *hash = h;
        return (bad & 0x80) != 0;
    }
    /* The ``nchars`` characters of 6-bit ASCII text at bit ``off`` of the packed payload w
       into out (room for nchars + 8), eight at a time; '@' for a character that does not
       end within the payload's ``nbits``. */
    static void vw_text(const uint64_t* w, int64_t nbits, int off, int nchars, uint8_t* out) {
        int64_t whole = nbits >= off ? (nbits - off) / 6 : 0;
        for (int k = 0; k < nchars; k += 8) {
            int at = off + 6 * k, i = at >> 6, sh = at & 63;
            /* 48 bits at ``at``, then one character (six bits) a byte */
            uint64_t x = ((w[i] << sh) | ((w[i + 1] >> 1) >> (63 - sh))) >> 16;
            uint64_t u = ((x >> 24) & 0xFFFFFFULL) | ((x & 0xFFFFFFULL) << 32);
            uint64_t t = ((u >> 12) & 0x00000FFF00000FFFULL) | ((u & 0x00000FFF00000FFFULL) << 16);
            uint64_t v = ((t >> 6) & 0x003F003F003F003FULL) | ((t & 0x003F003F003F003FULL) << 8);
            v += (~(v + 0x60 * VW_ONES) & VW_HIGH) >> 1;  /* 0..31 are '@'..'_' */
    #if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
            v = __builtin_bswap64(v);
    #endif
            memcpy(out + k, &v, 8);
        }
        for (int64_t k = whole; k < nchars; k++) out[k] = '@';
    }
    """
    const uint64_t VW_FNV_OFFSET
    const uint64_t VW_FNV_PRIME
    void vw_armour_init() nogil
    int vw_payload(const uint8_t* p, int64_t n, int64_t pack, uint64_t* w, uint64_t* hash) nogil
    void vw_text(const uint64_t* w, int64_t nbits, int off, int nchars, uint8_t* out) nogil

cdef enum:
    PACK_WORDS = 8
    PACK_CHARS = 80  # eight groups of ten characters (60 bits): bits 0..479


cdef struct Bits:
    uint64_t w[PACK_WORDS]


cdef inline uint64_t ubits(const Bits* b, int off, int width) noexcept nogil:
    """Unsigned field of ``width`` (1..32) bits at bit ``off``."""
    cdef int i = off >> 6
    cdef int sh = off & 63
    cdef uint64_t v = (b.w[i] << sh) | ((b.w[i + 1] >> 1) >> (63 - sh))
    return v >> (64 - width)


cdef inline int64_t sbits(const Bits* b, int off, int width) noexcept nogil:
    cdef int64_t u = <int64_t>ubits(b, off, width)
    cdef int64_t sign = <int64_t>1 << (width - 1)
    return (u ^ sign) - sign
