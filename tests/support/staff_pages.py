"""What the browser tests of staff access share: the staff user pool of a running local
runtime (a user with a permanent password, made as the demo users are), and the QR code
the vendored qrcode-generator draws for a text, computed by node from the same file."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import boto3

from shared.adapters.cognito_staff import add_user

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = ROOT / "node_modules" / "qrcode-generator" / "dist" / "qrcode.js"


def pool(runtime: Any) -> tuple[Any, str]:
    """The emulator's Cognito client and the staff pool, from the pages' own settings."""
    _, config = runtime.json("GET", "/personale/config.json")
    idp = boto3.client("cognito-idp", endpoint_url=config["endpoint"].rstrip("/"),
                       region_name=config["region"], aws_access_key_id="test",
                       aws_secret_access_key="test")
    return idp, config["userPoolId"]


def confirmed_user(runtime: Any, email: str, role: str, password: str) -> None:
    idp, pool_id = pool(runtime)
    add_user(idp, pool_id, email, role, password=password)


def qr_modules(text: str) -> str:
    """The dark modules of qrcode-generator's code for `text` (type chosen by the library,
    correction level M), as the console's SVG path writes them (quiet zone of four)."""
    script = (
        "const qrcode = require(process.argv[1]);"
        "const code = qrcode(0, 'M'); code.addData(process.argv[2]); code.make();"
        "const n = code.getModuleCount(); let d = '';"
        "for (let r = 0; r < n; r++) for (let c = 0; c < n; c++)"
        "  if (code.isDark(r, c)) d += 'M' + (c + 4) + ' ' + (r + 4) + 'h1v1h-1z';"
        "process.stdout.write(JSON.stringify(d));")
    done = subprocess.run(["node", "-e", script, str(LIBRARY), text], capture_output=True,
                          text=True, check=True, timeout=30)
    return str(json.loads(done.stdout))
