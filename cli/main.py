"""`leaders`: one command with a group per area. It talks to AWS with the usual credentials,
or to the local runtime when AWS_ENDPOINT_URL points at its emulator. Each group is a module
of its own (cli/forums.py, cli/consultant.py, cli/newsletter.py, cli/privacy.py,
cli/staff.py); a domain error becomes its Danish sentence here, in one place."""

from __future__ import annotations

import os

import click

from cli.common import fail
from cli.consultant import consultant
from cli.forums import forums
from cli.newsletter import newsletter_group
from cli.privacy import privacy
from cli.staff import staff


@click.group()
def main() -> None:
    """Leaders of leaders: operator commands. Times are typed and shown in Danish time."""
    from cli.environment import configure

    used = configure(os.environ)
    if used:
        click.echo(f"Den lokale runtime: {os.environ['AWS_ENDPOINT_URL']} (fra {used}).",
                   err=True)


for group in (forums, consultant, newsletter_group, privacy, staff):
    main.add_command(group)


def run() -> None:
    """The console entry: AWS problems become one clear line instead of a traceback."""
    from botocore.exceptions import BotoCoreError, ClientError

    from shared.errors import DomainError

    try:
        main()
    except DomainError as exc:
        fail(exc.message)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        fail(f"AWS svarede {error.get('Code', 'fejl')}: {error.get('Message', '')}")
    except BotoCoreError as exc:
        fail(f"Kunne ikke tale med AWS: {exc}")


if __name__ == "__main__":
    run()
