"""What every command group of `leaders` uses: a Danish sentence and exit 1."""

from __future__ import annotations

import sys
from typing import NoReturn

import click


def fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(1)
