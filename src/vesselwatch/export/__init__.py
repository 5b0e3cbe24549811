"""Write canonical tables to the formats analysts open: CSV, Parquet, GeoJSON."""

from vesselwatch.export.positions import write_positions

__all__ = ["write_positions"]
