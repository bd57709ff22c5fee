"""Where the CLI sends its AWS calls, and the environment line `make run` prints for it.

botocore takes its region from AWS_DEFAULT_REGION (or a profile), not from AWS_REGION, which
other AWS SDKs read: the printed line sets both, and the CLI accepts either. When neither an
endpoint nor AWS credentials of the caller's own are set up, the CLI reads the line the local
runtime wrote into `.local/env` while it runs, so `leaders …` works without copying it."""

from __future__ import annotations

import shlex
import socket
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from urllib.parse import urlsplit

ENV_FILE = "env"  # in the runtime's state folder, .local/ by default
LOOPBACK = ("127.0.0.1", "localhost", "::1")
LOCAL_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}


def local_values(endpoint: str, region: str) -> dict[str, str]:
    """What a shell, the AWS CLI, boto3 and `leaders` need to reach the local emulator."""
    return {"AWS_ENDPOINT_URL": endpoint, "AWS_DEFAULT_REGION": region, "AWS_REGION": region,
            **LOCAL_CREDENTIALS}


def export_line(values: Mapping[str, str]) -> str:
    return "export " + " ".join(f"{k}={shlex.quote(v)}" for k, v in values.items())


def parse_export_line(line: str) -> dict[str, str]:
    """The variables of an `export A=1 B=2` line (as printed or written)."""
    words = shlex.split(line.strip())
    if not words or words[0] != "export":
        return {}
    return dict(w.split("=", 1) for w in words[1:] if "=" in w)


def state_folder(environ: Mapping[str, str]) -> Path:
    given = environ.get("LOCAL_STATE_DIR")
    return Path(given) if given else Path(__file__).resolve().parents[1] / ".local"


def _own_aws_setup(environ: Mapping[str, str]) -> bool:
    """Credentials or a profile of the caller's own: the CLI then never guesses a local
    endpoint, so a forgotten variable cannot send a production task to a laptop."""
    if any(environ.get(name) for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID",
                                          "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                                          "AWS_WEB_IDENTITY_TOKEN_FILE")):
        return True
    home = Path(environ.get("HOME") or Path.home())
    files = (environ.get("AWS_SHARED_CREDENTIALS_FILE") or home / ".aws" / "credentials",
             environ.get("AWS_CONFIG_FILE") or home / ".aws" / "config")
    return any(Path(f).is_file() for f in files)


def _answers(endpoint: str) -> bool:
    parts = urlsplit(endpoint)
    if parts.hostname not in LOOPBACK or parts.port is None:
        return False
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=1):
            return True
    except OSError:
        return False


def configure(environ: MutableMapping[str, str]) -> str | None:
    """Completes `environ` before any AWS client exists; the file it read from, if any."""
    used = None
    if not environ.get("AWS_ENDPOINT_URL") and not _own_aws_setup(environ):
        path = state_folder(environ) / ENV_FILE
        try:
            values = parse_export_line(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            values = {}
        if values.get("AWS_ENDPOINT_URL") and _answers(values["AWS_ENDPOINT_URL"]):
            for name, value in values.items():
                environ.setdefault(name, value)
            used = str(path)
    if environ.get("AWS_REGION") and not environ.get("AWS_DEFAULT_REGION"):
        environ["AWS_DEFAULT_REGION"] = environ["AWS_REGION"]
    return used


def write_env_file(folder: Path, values: Mapping[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ENV_FILE
    path.write_text(export_line(values) + "\n", encoding="utf-8")
    return path


def remove_env_file(folder: Path) -> None:
    (folder / ENV_FILE).unlink(missing_ok=True)
