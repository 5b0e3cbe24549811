# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Track segmentation, compiled: the two sequential scans of track preparation.

Definitions: ``docs/events.md``, "Track preparation", steps 2 and 3. Inputs are sorted by
(mmsi, ts, lat, lon); both scans are one pass in C over all rows.
"""

import numpy as np

cimport numpy as cnp
from libc.math cimport NAN, asin, cos, sin, sqrt
from libc.stdint cimport int32_t, int64_t, uint32_t

cnp.import_array()

cdef double EARTH_RADIUS_M = 6371008.8
cdef double DEG = 0.017453292519943295
DEF MAX_OPEN = 64


cdef inline double haversine(double lat1, double lon1, double lat2, double lon2) noexcept nogil:
    cdef double p1 = lat1 * DEG
    cdef double p2 = lat2 * DEG
    cdef double dp = p2 - p1
    cdef double dl = (lon2 - lon1) * DEG
    cdef double a = sin(dp * 0.5) ** 2 + cos(p1) * cos(p2) * sin(dl * 0.5) ** 2
    if a > 1.0:
        a = 1.0
    return 2.0 * EARTH_RADIUS_M * asin(sqrt(a))


def segment_positions(const uint32_t[:] mmsi, const int64_t[:] ts, const double[:] lat,
                      const double[:] lon, double max_speed_ms, double noise_m, int max_open):
    """Raw segment number per row (per MMSI, in order of opening)."""
    cdef Py_ssize_t n = ts.shape[0]
    out = np.empty(n, dtype=np.int32)
    cdef int32_t[:] seg = out
    cdef int32_t open_id[MAX_OPEN]
    cdef int64_t last_ts[MAX_OPEN]
    cdef int64_t touched[MAX_OPEN]
    cdef double last_lat[MAX_OPEN]
    cdef double last_lon[MAX_OPEN]
    cdef int n_open = 0
    cdef int32_t next_id = 0
    cdef int64_t clock = 0
    cdef Py_ssize_t i
    cdef int k, best, oldest
    cdef double d, dt, best_d
    if max_open < 1:
        max_open = 1
    if max_open > MAX_OPEN:
        max_open = MAX_OPEN
    with nogil:
        for i in range(n):
            if i == 0 or mmsi[i] != mmsi[i - 1]:
                n_open = 0
                next_id = 0
            best = -1
            best_d = 0.0
            for k in range(n_open):
                d = haversine(last_lat[k], last_lon[k], lat[i], lon[i])
                dt = (ts[i] - last_ts[k]) / 1e6
                if d <= noise_m or (dt > 0 and d / dt <= max_speed_ms):
                    if best < 0 or d < best_d or (d == best_d and touched[k] > touched[best]):
                        best = k
                        best_d = d
            if best < 0:
                if n_open == max_open:
                    oldest = 0
                    for k in range(1, n_open):
                        if touched[k] < touched[oldest]:
                            oldest = k
                    best = oldest
                else:
                    best = n_open
                    n_open += 1
                open_id[best] = next_id
                next_id += 1
            clock += 1
            touched[best] = clock
            last_ts[best] = ts[i]
            last_lat[best] = lat[i]
            last_lon[best] = lon[i]
            seg[i] = open_id[best]
    return out


def chain_segments(const uint32_t[:] mmsi, const int64_t[:] ts, const int32_t[:] raw,
                   int min_positions):
    """(track number per row, outlier flag per row) from raw segments; see the doc, step 3-4.

    Raw segments are numbered per MMSI in order of opening, which is the order of their
    first positions. Each continues the track that ended latest strictly before it began.
    """
    cdef Py_ssize_t n = ts.shape[0]
    track_out = np.empty(n, dtype=np.int32)
    outlier_out = np.zeros(n, dtype=np.bool_)
    cdef int32_t[:] track = track_out
    cdef cnp.uint8_t[:] outlier = outlier_out.view(np.uint8)
    cdef Py_ssize_t lo = 0, hi, i
    cdef int32_t n_raw, s, t, n_tracks, best
    cdef int64_t[:] seg_first, seg_last, tr_first, tr_last
    cdef int32_t[:] seg_track, tr_count
    cdef cnp.uint8_t[:] tr_overlap
    while lo < n:
        hi = lo
        n_raw = 0
        while hi < n and mmsi[hi] == mmsi[lo]:
            if raw[hi] + 1 > n_raw:
                n_raw = raw[hi] + 1
            hi += 1
        seg_first_a = np.full(n_raw, np.iinfo(np.int64).max, dtype=np.int64)
        seg_last_a = np.full(n_raw, np.iinfo(np.int64).min, dtype=np.int64)
        seg_track_a = np.zeros(n_raw, dtype=np.int32)
        seg_first = seg_first_a
        seg_last = seg_last_a
        seg_track = seg_track_a
        for i in range(lo, hi):
            s = raw[i]
            if ts[i] < seg_first[s]:
                seg_first[s] = ts[i]
            if ts[i] > seg_last[s]:
                seg_last[s] = ts[i]
        tr_first_a = np.zeros(n_raw, dtype=np.int64)
        tr_last_a = np.zeros(n_raw, dtype=np.int64)
        tr_count_a = np.zeros(n_raw, dtype=np.int32)
        tr_first = tr_first_a
        tr_last = tr_last_a
        tr_count = tr_count_a
        n_tracks = 0
        for s in range(n_raw):
            best = -1
            for t in range(n_tracks):
                if tr_last[t] < seg_first[s] and (best < 0 or tr_last[t] > tr_last[best]):
                    best = t
            if best < 0:
                best = n_tracks
                tr_first[best] = seg_first[s]
                n_tracks += 1
            tr_last[best] = seg_last[s]
            seg_track[s] = best
        for i in range(lo, hi):
            t = seg_track[raw[i]]
            track[i] = t
            tr_count[t] += 1
        # a short track that overlaps a full track of the MMSI in time is an outlier
        tr_overlap_a = np.zeros(n_tracks, dtype=np.uint8)
        tr_overlap = tr_overlap_a
        for t in range(n_tracks):
            if tr_count[t] >= min_positions:
                continue
            for s in range(n_tracks):
                if (s != t and tr_count[s] >= min_positions and tr_first[s] <= tr_last[t]
                        and tr_first[t] <= tr_last[s]):
                    tr_overlap[t] = 1
                    break
        for i in range(lo, hi):
            if tr_overlap[track[i]]:
                outlier[i] = 1
        lo = hi
    return track_out, outlier_out


def step_distances(const double[:] lat, const double[:] lon, const cnp.uint8_t[:] first):
    """Haversine metres from each row to the row before it; NaN where ``first`` is set."""
    cdef Py_ssize_t n = lat.shape[0]
    cdef Py_ssize_t i
    out = np.empty(n, dtype=np.float64)
    cdef double[:] d = out
    with nogil:
        for i in range(n):
            if first[i] or i == 0:
                d[i] = NAN
            else:
                d[i] = haversine(lat[i - 1], lon[i - 1], lat[i], lon[i])
    return out


def positions_in_window(const int64_t[:] ts, const int64_t[:] track_first,
                        const int64_t[:] rows, int64_t window_us):
    """For each row ``r`` of ``rows``: how many rows of its track (which starts at
    ``track_first[r]``; rows sorted by time within a track) have a time in
    ``[ts[r] - window_us, ts[r]]``, ``r`` included. A binary search per row, in C."""
    cdef Py_ssize_t m = rows.shape[0]
    out = np.empty(m, dtype=np.int64)
    cdef int64_t[:] counts = out
    cdef Py_ssize_t k
    cdef int64_t r, lo, hi, mid, bound
    with nogil:
        for k in range(m):
            r = rows[k]
            lo = track_first[r]
            hi = r
            bound = ts[r] - window_us
            while lo < hi:  # first index in [track_first, r] with ts >= bound
                mid = (lo + hi) // 2
                if ts[mid] < bound:
                    lo = mid + 1
                else:
                    hi = mid
            counts[k] = r - lo + 1
    return out
