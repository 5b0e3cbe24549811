# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The commit's ordering hot loops, compiled (see ``partition.sort_and_dedupe``).

After one argsort of a packed (bucket, mmsi, coarse time) key, only rows that share that
key with a neighbour need more sorting, and they come in short runs:

- ``tied_positions(key_sorted)``: positions of the sorted order that lie in such a run;
- ``sort_runs(order, key_sorted, ts, msg_hash, rank, line, max_run)``: each run re-sorted in
  place by ``(ts, msg_hash, rank, line)`` (insertion sort); runs longer than ``max_run``
  are returned for a vectorised sort instead;
- ``first_of_key(order, major, ts, msg_hash)``: whether each row of the final order is the
  first of its ``(major, ts, msg_hash)``.
"""

import numpy as np

from libc.stdint cimport int64_t, uint32_t, uint64_t


cdef inline bint row_less(int64_t a, int64_t b, const int64_t* ts, const uint64_t* h,
                          const int64_t* rank, const int64_t* line) noexcept nogil:
    if ts[a] != ts[b]:
        return ts[a] < ts[b]
    if h[a] != h[b]:
        return h[a] < h[b]
    if rank[a] != rank[b]:
        return rank[a] < rank[b]
    return line[a] < line[b]


def tied_positions(const uint64_t[::1] key_sorted):
    """Positions ``i`` of a sorted key where ``key[i]`` equals a neighbour's key."""
    cdef int64_t n = key_sorted.shape[0]
    out_a = np.empty(n, np.int64)
    cdef int64_t[::1] out = out_a
    cdef int64_t i, m = 0
    with nogil:
        for i in range(n):
            if (i > 0 and key_sorted[i] == key_sorted[i - 1]) or (
                    i + 1 < n and key_sorted[i] == key_sorted[i + 1]):
                out[m] = i
                m += 1
    return out_a[:m]


def sort_runs(int64_t[::1] order, const uint64_t[::1] key_sorted, const int64_t[::1] ts,
              const uint64_t[::1] msg_hash, const int64_t[::1] rank, const int64_t[::1] line,
              int64_t max_run):
    """Re-sort each run of equal ``key_sorted`` in ``order`` by (ts, msg_hash, rank, line).

    ``ts``, ``msg_hash``, ``rank`` and ``line`` are indexed by row (the values of
    ``order``). Runs longer than ``max_run`` are left alone and returned as an array of
    ``(start, end)`` rows, for the caller to sort.
    """
    cdef int64_t n = order.shape[0]
    long_a = np.empty((n // 2 + 1, 2), np.int64)
    cdef int64_t[:, ::1] long_runs = long_a
    cdef int64_t nlong = 0, a = 0, b, i, j, row
    cdef const int64_t* pts = &ts[0] if ts.shape[0] else NULL
    cdef const uint64_t* ph = &msg_hash[0] if msg_hash.shape[0] else NULL
    cdef const int64_t* pr = &rank[0] if rank.shape[0] else NULL
    cdef const int64_t* pl = &line[0] if line.shape[0] else NULL
    with nogil:
        while a < n:
            b = a + 1
            while b < n and key_sorted[b] == key_sorted[a]:
                b += 1
            if b - a > max_run:
                long_runs[nlong, 0] = a
                long_runs[nlong, 1] = b
                nlong += 1
            elif b - a > 1:
                for i in range(a + 1, b):
                    row = order[i]
                    j = i
                    while j > a and row_less(row, order[j - 1], pts, ph, pr, pl):
                        order[j] = order[j - 1]
                        j -= 1
                    order[j] = row
            a = b
    return long_a[:nlong]


def first_of_key(const int64_t[::1] order, const uint64_t[::1] major, const int64_t[::1] ts,
                 const uint64_t[::1] msg_hash):
    """For each position of ``order``: is its row the first of its (major, ts, msg_hash)?"""
    cdef int64_t n = order.shape[0]
    out_a = np.ones(n, bool)
    cdef unsigned char[::1] out = out_a.view(np.uint8)
    cdef int64_t i, r, p
    with nogil:
        for i in range(1, n):
            r = order[i]
            p = order[i - 1]
            if major[r] == major[p] and ts[r] == ts[p] and msg_hash[r] == msg_hash[p]:
                out[i] = 0
    return out_a


cdef int64_t US_PER_DAY = 86400000000
cdef int64_t MAX_DAY_SPAN = 1000000


def day_keys(const uint32_t[::1] mmsi, const int64_t[::1] ts, int64_t n_buckets):
    """The keys of the commit's one sort of a whole table, in two passes.

    Each row's partition ``group`` = (UTC day, numbered densely among the days present) *
    ``n_buckets`` + mmsi % ``n_buckets``; ``major`` = group above the mmsi; ``key`` =
    major above the time since the start of the day, coarsened by just enough bits to fit
    in 64 (ties are re-sorted on the exact time afterwards). Returns ``(days, group,
    major, key)`` with ``days`` the days present, ascending; ``None`` when the days span
    more than a million or the key has no room for 16 bits of time.
    """
    cdef int64_t n = mmsi.shape[0]
    if n == 0 or ts.shape[0] != n or n_buckets < 1:
        return None
    group_a = np.empty(n, np.int64)
    major_a = np.empty(n, np.uint64)
    key_a = np.empty(n, np.uint64)
    cdef int64_t[::1] group = group_a
    cdef uint64_t[::1] major = major_a
    cdef uint64_t[::1] key = key_a
    cdef int64_t i, d, low = 0, high = 0, span, g, ndays = 0
    cdef uint32_t mmsi_max = 0
    with nogil:
        for i in range(n):
            d = ts[i] // US_PER_DAY
            if ts[i] % US_PER_DAY < 0:
                d -= 1
            group[i] = d
            if i == 0 or d < low:
                low = d
            if i == 0 or d > high:
                high = d
            if mmsi[i] > mmsi_max:
                mmsi_max = mmsi[i]
    span = high - low
    if span > MAX_DAY_SPAN:
        return None
    number_a = np.zeros(span + 1, np.int64)
    cdef int64_t[::1] number = number_a
    with nogil:
        for i in range(n):
            number[group[i] - low] = 1
        for i in range(span + 1):
            if number[i]:
                number[i] = ndays
                ndays += 1
            else:
                number[i] = -1
    cdef uint64_t width = 30 if mmsi_max < (1 << 30) else 32
    cdef uint64_t top = ((<uint64_t>(ndays * n_buckets - 1)) << width) | mmsi_max
    cdef int tbits = 64
    while top:
        tbits -= 1
        top >>= 1
    if tbits < 16:
        return None
    cdef int shift = 37 - tbits if tbits < 37 else 0  # a day is below 2**37 us
    with nogil:
        for i in range(n):
            d = group[i]
            g = number[d - low] * n_buckets + mmsi[i] % n_buckets
            group[i] = g
            major[i] = ((<uint64_t>g) << width) | mmsi[i]
            key[i] = (major[i] << tbits) | (<uint64_t>(ts[i] - d * US_PER_DAY) >> shift)
    days = np.flatnonzero(number_a >= 0) + low
    return days, group_a, major_a, key_a
