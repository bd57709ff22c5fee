"""`make run`: the whole backend on http://127.0.0.1:${PORT:-8000}, on an embedded emulator."""

from __future__ import annotations

import errno
import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path

DEFAULT_PORT = 8000


def parse_port(value: str | None, name: str = "PORT") -> int:
    if value is None or value.strip() == "":
        return DEFAULT_PORT
    if not value.strip().isdigit() or not 1 <= int(value) <= 65535:
        raise SystemExit(f"{name} must be a number from 1 to 65535, not {value!r}.")
    return int(value)


def check_free(port: int, name: str = "PORT") -> None:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise SystemExit(
                    f"Port {port} is already in use. Stop what runs there or start with "
                    f"another port, e.g. {name}={port + 1} make run."
                ) from None
            if exc.errno == errno.EACCES:
                raise SystemExit(
                    f"Port {port} needs privileges; choose a port above 1023."
                ) from None
            raise


def is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers bind
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


EMULATOR_PORT_FILE = "emulator-port"


def emulator_port(state: Path, port: int) -> int | None:
    """The emulator keeps its port from run to run, so the printed line stays valid: the
    port of the last run (remembered in the state folder), else the page port + 10000, if
    free; EMULATOR_PORT chooses one. None: any free port."""
    given = os.environ.get("EMULATOR_PORT")
    if given:
        chosen = parse_port(given, "EMULATOR_PORT")
        check_free(chosen, "EMULATOR_PORT")
        return chosen
    try:
        remembered = int((state / EMULATOR_PORT_FILE).read_text().strip())
    except (OSError, ValueError):
        remembered = 0
    for candidate in (remembered, port + 10000):
        if 1024 < candidate <= 65535 and candidate != port and is_free(candidate):
            return candidate
    return None


def main() -> None:
    port = parse_port(os.environ.get("PORT"))
    check_free(port)
    started = time.monotonic()

    from cli.environment import export_line, local_values, remove_env_file, write_env_file
    from local.runtime import STATE, LocalRuntime
    from local.server import LocalServer
    from local.synth import load_template

    state = Path(os.environ.get("LOCAL_STATE_DIR") or STATE)
    runtime = LocalRuntime(load_template(), state=state, public_url=f"http://127.0.0.1:{port}",
                           emulator_port=emulator_port(state, port))
    runtime.start(load_demo=os.environ.get("LOCAL_DEMO_DATA", "1") != "0")
    (state / EMULATOR_PORT_FILE).write_text(f"{runtime.emulator.port}\n")
    server = LocalServer(("127.0.0.1", port), runtime)
    stopping = threading.Event()

    def shut_down(signum: int, frame: object) -> None:
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGINT, shut_down)
    signal.signal(signal.SIGTERM, shut_down)
    info = runtime.info()
    values = local_values(info["aws_endpoint_url"], info["region"])
    env_file = write_env_file(state, values)
    print(
        "\n".join([
            "",
            f"Leaders of leaders runs locally ({time.monotonic() - started:.1f} s to start).",
            f"  Pages and API:  http://127.0.0.1:{port}/   (API under /api/)",
            f"  AWS emulator:   {info['aws_endpoint_url']}  (the same port next time, if free)",
            f"    {export_line(values)}",
            "    then: .venv/bin/leaders forums list   or   aws dynamodb list-tables",
            f"    (the line is also in {env_file}, which leaders reads by itself while this "
            "runs)",
            f"  Outbox:         http://127.0.0.1:{port}/_local/outbox  "
            f"(.eml files in {runtime.outbox.folder})",
            f"  Schedules:      {', '.join(info['schedules']) or 'none'}"
            f"  (fire one: curl -X POST http://127.0.0.1:{port}/_local/schedules/NAME/fire)",
            f"  Function logs:  {runtime.state / 'logs'}",
            f"  Staff console:  http://127.0.0.1:{port}/personale/  (demo users, local only)",
            *(f"staff {user.role}: {user.email} {user.password}"
              for user in runtime.staff_users),
            "Ctrl-C stops it.",
            "",
        ]),
        flush=True,
    )
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        remove_env_file(state)
        runtime.close()
        print("Stopped.", flush=True)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
