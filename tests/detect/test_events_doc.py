"""docs/events.md and the code agree: every parameter, its default, every event type."""

from __future__ import annotations

import re
from dataclasses import asdict, fields
from pathlib import Path

import pytest

from vesselwatch.detect.config import SECTIONS, DetectConfig, config_from_dict, load_config
from vesselwatch.errors import InputError
from vesselwatch.model.events import EVENTS, TYPE_CODE, EventType

DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def _documented() -> dict[str, dict[str, float]]:
    """section -> {parameter: default} from the tables under each "Section `[x]`" line."""
    text = DOC.read_text(encoding="utf-8")
    out: dict[str, dict[str, float]] = {}
    section = None
    for line in text.splitlines():
        m = re.search(r"Section `\[(\w+)\]`", line)
        if m:
            section = m.group(1)
            out.setdefault(section, {})
            continue
        row = re.match(r"\| `(\w+)` \| ([0-9.]+) \|", line)
        if row and section:
            out[section][row.group(1)] = float(row.group(2))
    return out


def test_every_default_is_documented_with_the_same_value() -> None:
    documented = _documented()
    code = DetectConfig().to_dict()
    assert set(documented) == set(code) - {"identity"} == set(SECTIONS)
    for section, values in code.items():
        assert documented[section] == {k: float(v) for k, v in values.items()}, section


def test_every_event_type_has_a_section_in_the_doc() -> None:
    text = DOC.read_text(encoding="utf-8")
    for kind in EventType:
        assert f"`{kind.value}`" in text, kind
    assert set(TYPE_CODE) == set(EventType)
    assert len(set(TYPE_CODE.values())) == len(TYPE_CODE)


def test_every_event_column_is_named_in_the_doc_or_schema() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name in EVENTS.names:
        assert f"`{name}`" in text, name


def test_params_for_a_section_carry_units_in_their_names() -> None:
    params = DetectConfig().params_for("gaps")
    assert params["gaps.min_gap_h"] == 6.0 and "tracks.max_implied_sog_kn" in params
    unit = re.compile(r"_(h|m|nm|kn|min|s)$|positions|segments|vessels")
    for section in asdict(DetectConfig()).values():
        for name in section:
            assert unit.search(name), name


def test_toml_overrides_one_value_and_keeps_the_rest(tmp_path: Path) -> None:
    f = tmp_path / "detect.toml"
    f.write_text("[gaps]\nmin_gap_h = 8\n[encounters]\nmax_distance_m = 300.5\n")
    cfg = load_config(f)
    assert cfg.gaps.min_gap_h == 8.0 and isinstance(cfg.gaps.min_gap_h, float)
    assert cfg.encounters.max_distance_m == 300.5
    assert cfg.port_visits == DetectConfig().port_visits


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[gap]\nmin_gap_h = 8\n", "unknown section [gap]"),
        ("[gaps]\nmin_gap = 8\n", "[gaps] has no parameter 'min_gap'"),
        ("[gaps]\nmin_gap_h = 'long'\n", "[gaps] min_gap_h = 'long': expected a number"),
        ("[gaps]\nintentional_min_positions = 2.5\n", "expected a whole number"),
        ("[gaps]\nmin_gap_h = -1\n", "must not be negative"),
        ("[gaps\n", "not valid TOML"),
    ],
)
def test_bad_config_names_the_file_the_section_and_the_field(tmp_path: Path, text: str,
                                                             needle: str) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(text)
    with pytest.raises(InputError) as exc:
        load_config(f)
    assert str(f) in str(exc.value) and needle in str(exc.value)


def test_missing_config_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such config file"):
        load_config(tmp_path / "nope.toml")
    assert config_from_dict({}) == DetectConfig()
    assert [f.name for f in fields(DetectConfig)] == list(SECTIONS)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[gaps]\nmin_gap_h = nan\n", "must be a finite number"),
        ("[gaps]\nmin_gap_h = 1e300\n", "must be a finite number"),
        ("[encounters]\ngrid_min = 0\n", "grid_min = 0: must be greater than 0"),
        ("[tracks]\nmax_open_segments = 100\n", "must be 1 to 64"),
        ("[port_visits]\nentry_radius_m = 5000.0\n", "must be greater than entry_radius_m"),
        ("[port_visits]\nstop_end_sog_kn = 0.1\n", "must be at least stop_start_sog_kn"),
    ],
)
def test_values_that_cannot_work_are_refused_with_the_name(tmp_path: Path, text: str,
                                                           needle: str) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(text)
    with pytest.raises(InputError, match=re.escape(needle)):
        load_config(f)


def test_a_folder_or_binary_file_as_config_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder"):
        load_config(tmp_path)
    f = tmp_path / "x.toml"
    f.write_bytes(b"\xff\xfe\x00[gaps]")
    with pytest.raises(InputError, match="not UTF-8"):
        load_config(f)
