"""``python -m vesselwatch``: the same as the ``vesselwatch`` command."""

from vesselwatch.cli import run

run()
