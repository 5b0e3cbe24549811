"""NMEA 0183 AIS (``!AIVDM``/``!AIVDO``) reader, vectorised over whole chunks."""

from vesselwatch.ingest.nmea.reader import read_nmea

__all__ = ["read_nmea"]
