"""The operator's yes/no answers, in Danish (j/n as well as y/n); the times and names staff
read and type are in shared/danish.py."""

from __future__ import annotations

import click

YES = ("j", "ja", "y", "yes")
NO = ("n", "nej", "no")


def _yes_no(value: str) -> bool:
    answer = value.strip().lower()
    if answer in YES:
        return True
    if answer in NO:
        return False
    raise click.UsageError("Svar j (ja) eller n (nej).")


def confirm(question: str) -> bool:
    """Asks until the answer is j/ja/y/yes or n/nej/no; no answer (Enter, or input closed)
    is no."""
    try:
        return bool(click.prompt(f"{question} [j/n]", default="n", show_default=False,
                                 value_proc=_yes_no, err=True))
    except click.Abort:  # no answer at all (input closed, Ctrl-C): no, and said in Danish
        click.echo("", err=True)
        return False
