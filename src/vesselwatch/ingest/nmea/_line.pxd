# cython: language_level=3
"""One line of a buffer, taken apart: the record ``_lines.frame_lines`` writes per line and
``_payload.decode_messages`` reads (``framing.Lines`` shows its fields as NumPy views).

One record per line, not one array per field: the scan writes each line's fields to one
place in memory, and the decoder finds a message's fields together.
"""

from libc.stdint cimport int8_t, int16_t, int32_t, int64_t, uint8_t


cdef struct Line:
    # clocks: microseconds since the epoch, -1 when absent
    int64_t tag_ts  # tag block ``c:``
    int64_t trailing_ts  # a receive time after the checksum
    int64_t pghp_ts  # on $PGHP lines: its time
    int64_t group_id  # tag block ``g:``, -1 when absent
    int32_t start  # the line, blanks at both ends cut: buf[start:end]
    int32_t end
    int32_t pay_start  # AIS sentences: the payload, buf[pay_start:pay_start + pay_len]
    int32_t pay_len
    int32_t station_start  # tag block ``s:``, a range in the buffer (empty when absent)
    int32_t station_end
    int32_t pghp_station_start  # on $PGHP lines: the station field
    int32_t pghp_station_end
    int16_t checksum  # of a sentence with a good checksum, -1 otherwise
    int16_t pghp_target  # on $PGHP lines: the checksum it binds to
    int8_t kind  # EMPTY / AIS / PGHP / OTHER / REJECT (framing.py)
    int8_t reason  # where kind is REJECT: index into _lines.REASONS, else -1
    int8_t total  # AIS sentences: fragment count, number, sequence id (-1 when empty)
    int8_t num
    int8_t seq
    int8_t own  # 1 for an own-ship ``!ccVDO`` sentence
    int8_t fill  # fill bits
    int8_t group_num  # tag block ``g:``, -1 when absent
    int8_t group_total
    uint8_t channel  # byte value, 0 when empty
