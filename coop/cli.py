"""Command-line commands: ``flask --app coop COMMAND``."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach the project's commands to the ``flask`` command."""
