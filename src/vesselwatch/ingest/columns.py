"""Read text columns into typed canonical arrays, vectorised, with a mask of the bad values.

Used by the CSV reader for every column and by the Parquet reader for columns stored as text.
Nothing here loops over rows in Python except to word the detail of a rejected value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from vesselwatch.ingest.csv_profile import COLUMN_KINDS, CsvProfile
from vesselwatch.model.schema import TS, RejectReason

__all__ = [
    "BAD_REASON",
    "clean_text",
    "parse_mmsi",
    "parse_number",
    "parse_times",
    "read_column",
    "to_numpy_bool",
]

Mask = npt.NDArray[np.bool_]

# What a bad value in a column of each kind makes of its row; other kinds just become null.
BAD_REASON: dict[str, RejectReason] = {
    "mmsi": RejectReason.BAD_MMSI,
    "time": RejectReason.BAD_TIME,
    "coord": RejectReason.BAD_POSITION,
    "motion": RejectReason.BAD_VALUE,
}

_NUMBER_RE = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
_MMSI_RE = r"^[0-9]{1,9}$"
_ISO_RE = (
    r"^(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[T ](?P<hm>[0-9]{2}:[0-9]{2})(?P<sec>:[0-9]{2})?"
    r"(?:[.,](?P<frac>[0-9]{1,9}))?\s*(?P<zone>Z|UTC|[+-][0-9]{2}(?::?[0-9]{2})?)?$"
)
_ISO_PLAIN = "%Y-%m-%dT%H:%M:%S"
_LEADING_ZEROS = r"(^|[^0-9])0+([0-9])"
_REGEX_SPECIAL = frozenset(".^$*+?{}[]\\|()")
_DIRECTIVES = {  # strptime directives whose text a regex can skip over
    "d": "(?P<day>[0-9]{1,2})",
    "m": "[0-9]{1,2}",
    "Y": "[0-9]{4}",
    "y": "[0-9]{2}",
    "H": "[0-9]{1,2}",
    "I": "[0-9]{1,2}",
    "M": "[0-9]{1,2}",
    "S": "[0-9]{1,2}",
    "p": "[AaPp][Mm]",
    "b": "[A-Za-z]+",
    "B": "[A-Za-z]+",
    "%": "%",
}
_ZONE_RE = r"^(?P<sign>[+-])(?P<hh>[0-9]{2}):?(?P<mm>[0-9]{2})?$"
_AUTO_DAYFIRST = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%d.%m.%Y %H:%M:%S")
_AUTO_MONTHFIRST = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m-%d-%Y %H:%M:%S")
_US_PER_S = 1_000_000


def to_numpy_bool(arr: pa.Array | pa.ChunkedArray, null: bool = False) -> Mask:
    """A boolean Arrow array as numpy, nulls read as ``null``."""
    filled = pc.fill_null(arr, null)
    return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=bool)


def _nulls_where(arr: pa.Array, mask: pa.Array) -> pa.Array:
    return pc.if_else(mask, pa.nulls(len(arr), arr.type), arr)


def clean_text(
    arr: pa.Array, *, prefix: str | None = None, null_values: Sequence[str] = ()
) -> pa.Array:
    """Trim, drop surrounding double quotes, drop ``prefix``; empty or ``null_values`` -> null."""
    s = pc.utf8_trim_whitespace(arr)
    if pc.any(pc.starts_with(s, '"')).as_py():
        quoted = pc.match_substring_regex(s, r'^".*"$')
        inner = pc.replace_substring(pc.utf8_slice_codeunits(s, 1, -1), '""', '"')
        s = pc.utf8_trim_whitespace(pc.if_else(quoted, inner, s))
    if prefix:
        s = pc.if_else(
            pc.starts_with(s, prefix, ignore_case=True), pc.utf8_slice_codeunits(s, len(prefix)), s
        )
    empty = pc.equal(s, "")
    if null_values:
        empty = pc.or_(empty, pc.is_in(pc.utf8_lower(s), value_set=pa.array(list(null_values))))
    return _nulls_where(s, empty)


def parse_number(s: pa.Array) -> tuple[pa.Array, Mask]:
    """Decimal text to float64; the mask marks text that is present but not a finite number
    (those values are null)."""
    try:  # fast path: every text present is a finite number
        values = pc.cast(s, pa.float64())
        if not pc.any(pc.invert(pc.is_finite(values))).as_py():
            return values, np.zeros(len(s), dtype=bool)
    except pa.ArrowInvalid:
        pass
    ok = pc.and_(pc.match_substring_regex(s, _NUMBER_RE), pc.is_valid(s))
    values = pc.cast(pc.if_else(ok, s, pa.scalar(None, pa.string())), pa.float64())
    finite = pc.is_finite(values)  # 1e999 is written like a number but is not one
    values = pc.if_else(finite, values, pa.scalar(None, pa.float64()))
    present = np.asarray(pc.is_valid(s).to_numpy(zero_copy_only=False), dtype=bool)
    return values, present & ~to_numpy_bool(finite)


def parse_mmsi(s: pa.Array) -> tuple[pa.Array, Mask]:
    """1-9 digit text to int64; the mask marks anything else, empty included."""
    ok = pc.match_substring_regex(s, _MMSI_RE)
    values = pc.cast(pc.if_else(ok, s, pa.nulls(len(s), pa.string())), pa.int64())
    return values, ~to_numpy_bool(ok)


def _localise(naive_us: npt.NDArray[np.int64], valid: Mask, tz: str) -> npt.NDArray[np.int64]:
    """Microseconds of naive local times in ``tz`` -> microseconds UTC."""
    if tz.upper() == "UTC" or not valid.any():
        return naive_us
    local = pa.array(np.where(valid, naive_us, 0), pa.timestamp("us"))
    utc = pc.assume_timezone(local, timezone=tz, ambiguous="earliest", nonexistent="earliest")
    return np.array(pc.cast(utc, pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)


def _us(arr: pa.Array) -> tuple[npt.NDArray[np.int64], Mask]:
    """A timestamp (or int64) array as microseconds plus validity; nulls read as 0."""
    valid = pc.is_valid(arr).to_numpy(zero_copy_only=False)
    ints = pc.fill_null(pc.cast(arr, pa.int64()), 0).to_numpy(zero_copy_only=False)
    return np.array(ints, dtype=np.int64), np.array(valid, dtype=bool)  # writable copies


def _day_regex(fmt: str) -> str | None:
    """A regex for texts in strptime pattern ``fmt`` that captures its ``%d`` as ``day``;
    ``None`` when the pattern has no ``%d`` or a directive not listed in :data:`_DIRECTIVES`.
    """
    out, i, has_day = ["^"], 0, False
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            directive = fmt[i + 1]
            if directive not in _DIRECTIVES or (directive == "d" and has_day):
                return None
            has_day |= directive == "d"
            out.append(_DIRECTIVES[directive])
            i += 2
        else:
            out.append("\\" + fmt[i] if fmt[i] in _REGEX_SPECIAL else fmt[i])
            i += 1
    return "".join(out) + "$" if has_day else None


def _strptime(s: pa.Array, fmt: str) -> pa.Array:
    """``pc.strptime`` without its leniency: it reads 30 February as 2 March.

    The day written in the text must be the day parsed. Where the pattern's day cannot be
    picked out by a regex, rows parsed to the 1st-3rd (where an overflow lands) are formatted
    back and must give the text again, ignoring case and leading zeros. Zone patterns
    (``%z``) are taken as they parse.
    """
    parsed = pc.strptime(s, format=fmt, unit="us", error_is_null=True)
    if "%z" in fmt or "%Z" in fmt:
        return parsed
    ok = np.ones(len(s), dtype=bool)
    unchecked = to_numpy_bool(pc.is_valid(parsed))
    rx = _day_regex(fmt)
    if rx is not None:
        written = pc.cast(pc.struct_field(pc.extract_regex(s, rx), "day"), pa.int64())
        same_day = pc.equal(written, pc.cast(pc.day(parsed), pa.int64()))
        ok &= to_numpy_bool(same_day, null=True)
        unchecked &= ~to_numpy_bool(pc.is_valid(written))
    suspect = np.flatnonzero(unchecked & to_numpy_bool(pc.less_equal(pc.day(parsed), 3)))
    if len(suspect):
        rows = pa.array(suspect)
        seconds = pa.timestamp("s", tz=parsed.type.tz)  # %S of [us] prints a fraction
        back = pc.strftime(pc.cast(parsed.take(rows), seconds), format=fmt)
        texts = (back, s.take(rows))
        norm = [
            pc.replace_substring_regex(pc.utf8_lower(x), _LEADING_ZEROS, r"\1\2") for x in texts
        ]
        ok[suspect] = to_numpy_bool(pc.equal(*norm))
    if ok.all():
        return parsed
    return pc.if_else(pa.array(ok), parsed, pa.scalar(None, parsed.type))


def _iso(s: pa.Array, tz: str) -> tuple[npt.NDArray[np.int64], Mask]:
    """ISO 8601 times; the plain ``YYYY-MM-DDTHH:MM:SS`` form takes a fast path."""
    plain, ok = _us(_strptime(s, _ISO_PLAIN))
    rest = np.flatnonzero(~ok & np.asarray(pc.is_valid(s).to_numpy(zero_copy_only=False), bool))
    plain = _localise(plain, ok, tz)
    if len(rest):
        us, valid = _iso_full(s.take(pa.array(rest)), tz)
        plain[rest] = us
        ok[rest] = valid
    return plain, ok


def _iso_full(s: pa.Array, tz: str) -> tuple[npt.NDArray[np.int64], Mask]:
    parts = pc.extract_regex(s, _ISO_RE)
    hms = pc.binary_join_element_wise(
        pc.struct_field(parts, "hm"),
        pc.if_else(
            pc.equal(pc.struct_field(parts, "sec"), ""), ":00", pc.struct_field(parts, "sec")
        ),
        "",
    )
    base = pc.binary_join_element_wise(pc.struct_field(parts, "date"), hms, "T")
    naive, valid = _us(_strptime(base, _ISO_PLAIN))
    frac = pc.utf8_slice_codeunits(pc.utf8_rpad(pc.struct_field(parts, "frac"), 6, "0"), 0, 6)
    naive = naive + np.asarray(
        pc.fill_null(pc.cast(frac, pa.int64()), 0).to_numpy(), dtype=np.int64
    )
    zone = pc.fill_null(pc.struct_field(parts, "zone"), "")
    has_zone = to_numpy_bool(pc.not_equal(zone, ""))
    offset = pc.extract_regex(zone, _ZONE_RE)
    hh = pc.fill_null(pc.cast(pc.struct_field(offset, "hh"), pa.int64()), 0).to_numpy()
    mm_text = pc.if_else(
        pc.equal(pc.struct_field(offset, "mm"), ""), "0", pc.struct_field(offset, "mm")
    )
    mm = pc.fill_null(pc.cast(mm_text, pa.int64()), 0).to_numpy()
    sign = np.where(to_numpy_bool(pc.equal(pc.struct_field(offset, "sign"), "-")), -1, 1)
    offset_us = sign * (hh * 3600 + mm * 60) * _US_PER_S
    local = _localise(naive, valid & ~has_zone, tz)
    return np.where(has_zone, naive - offset_us, local), valid


def _pattern(s: pa.Array, fmt: str, tz: str) -> tuple[npt.NDArray[np.int64], Mask]:
    parsed = _strptime(s, fmt)
    us, valid = _us(parsed)
    if isinstance(parsed.type, pa.TimestampType) and parsed.type.tz is None:
        us = _localise(us, valid, tz)
    return us, valid


def _epoch(s: pa.Array, per_second: int) -> tuple[npt.NDArray[np.int64], Mask]:
    values, _ = parse_number(s)
    x = np.asarray(pc.fill_null(values, np.nan).to_numpy(), dtype=np.float64)
    valid = np.isfinite(x) & (np.abs(x) < 1e11 * per_second)
    us = np.where(valid, np.round(np.where(valid, x, 0.0) * (_US_PER_S // per_second)), 0)
    return us.astype(np.int64), valid


def parse_times(s: pa.Array, formats: Sequence[str], dayfirst: bool, tz: str) -> pa.Array:
    """Text to ``timestamp[us, UTC]``, trying each format in turn; null where none fits.

    Formats: ``"iso"`` (ISO 8601, ``T`` or space, optional fraction and offset), ``"auto"``
    (ISO, then ``d/m/Y`` or ``m/d/Y`` by ``dayfirst``), ``"epoch_s"``, ``"epoch_ms"`` or a
    strptime pattern. Times without an offset are read in ``tz``.
    """
    expanded: list[str] = []
    for f in formats:
        auto = ["iso", *(_AUTO_DAYFIRST if dayfirst else _AUTO_MONTHFIRST)]
        expanded.extend(auto if f == "auto" else [f])
    out = np.zeros(len(s), dtype=np.int64)
    done = np.zeros(len(s), dtype=bool)
    for f in expanded:
        if done.all():
            break
        if f == "iso":
            us, ok = _iso(s, tz)
        elif f in ("epoch_s", "epoch_ms"):
            us, ok = _epoch(s, 1 if f == "epoch_s" else 1000)
        else:
            us, ok = _pattern(s, f, tz)
        fresh = ok & ~done
        out[fresh] = us[fresh]
        done |= ok
    return pa.array(out, pa.int64(), mask=~done).cast(TS)


def _mapped(s: pa.Array, mapping: Mapping[str, int | str]) -> tuple[pa.Array, pa.Array]:
    """Values looked up (any case) in ``mapping``; the second array is the key index or null."""
    keys = pa.array(list(mapping), pa.string())
    index = pc.index_in(pc.utf8_lower(s), value_set=keys)
    targets = list(mapping.values())
    kind = pa.string() if any(isinstance(v, str) for v in targets) else pa.int64()
    return pc.take(
        pa.array(targets if kind == pa.int64() else [str(v) for v in targets], kind), index
    ), index


def read_column(name: str, raw: pa.Array, profile: CsvProfile) -> tuple[pa.Array, Mask | None]:
    """One canonical column from its text: typed values and, for kinds that reject rows, the
    mask of present-but-bad values (``None`` for kinds whose bad values just become null).

    Types: ``mmsi`` int64, times ``timestamp[us, UTC]``, numbers float64, text string.
    """
    kind = COLUMN_KINDS[name]
    s = clean_text(
        raw, prefix=profile.strip_prefix.get(name), null_values=profile.null_values.get(name, ())
    )
    if kind == "mmsi":
        return parse_mmsi(s)
    if kind in ("time", "static_time"):
        ts = parse_times(s, profile.time_formats, profile.dayfirst, profile.time_zone)
        bad = pc.is_valid(s).to_numpy(zero_copy_only=False) & ~pc.is_valid(ts).to_numpy(
            zero_copy_only=False
        )
        return ts, (np.asarray(bad, dtype=bool) if kind == "time" else None)
    mapping = profile.values.get(name)
    if kind == "text":
        if mapping is None:
            return s, None
        mapped, _ = _mapped(s, mapping)
        return pc.cast(mapped, pa.string()), None
    values, bad = parse_number(s)
    if mapping is not None:
        mapped, index = _mapped(s, mapping)
        known = pc.is_valid(index)
        values = pc.if_else(known, pc.cast(mapped, pa.float64()), values)
        bad = np.zeros(len(s), dtype=bool)  # text outside the map means "unknown": null
    if name in profile.scale:
        values = pc.multiply(values, profile.scale[name])
    if name == "cog_deg" and profile.cog_signed_12bit:
        fixed = pc.divide(pc.round(pc.multiply(pc.add(values, 409.6), 10.0)), 10.0)
        values = pc.if_else(pc.less(values, 0.0), fixed, values)
    return values, (bad if kind in BAD_REASON else None)
