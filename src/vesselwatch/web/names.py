"""Vessel names for the lists: the latest name each MMSI broadcast, cached per store state."""

from __future__ import annotations

from vesselwatch.web.state import Dashboard

__all__ = ["vessel_names"]


def vessel_names(board: Dashboard) -> dict[int, str]:
    """MMSI -> the latest non-empty name in its vessel reports."""
    def build() -> dict[int, str]:
        from vesselwatch.engine_screen import arrow_table

        con = board.engine.store.connect()
        try:
            table = arrow_table(con.sql(
                "select mmsi, arg_max(name, ts) as name from vessel_reports "
                "where name is not null and trim(name) <> '' group by mmsi"))
        finally:
            con.close()
        return dict(zip(table["mmsi"].to_pylist(), table["name"].to_pylist()))

    return board.cached("vessel_names", build)
