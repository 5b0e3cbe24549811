"""Behaviour detection: pure functions from prepared tracks to event tables.

One module per behaviour; definitions in ``docs/events.md``.
"""
