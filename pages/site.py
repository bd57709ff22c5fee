"""The pages as members see them: the templates in pages/templates (one frame, one set of form
parts) rendered with the files of pages/static into one folder of plain static files, which
S3 serves when deployed and the local runtime serves on this machine.

Pages also show a few values of the deployment's configuration (the contact address, the
consultant, retention periods) and the privacy notice's version; the phone rules of the
forms come from the npm package libphonenumber-js (Google's numbering plans, as the server's
`phonenumbers`), copied in as telefonnummer.js, and the staff console's QR code from the
npm package qrcode-generator, copied in as qrkode.js.

The folder is named by a hash of its sources and values and written once, by renaming a
finished copy into place, so concurrent builds (synth, test workers, the runtime) never see
half a site."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from shared.newsletter.models import LEFT_KEPT_DAYS
from shared.privacy_notice import PRIVACY_NOTICE_VERSION, PRIVACY_PAGE

if TYPE_CHECKING:
    from infra.config import DeployConfig

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
# The browser's phone rules: Google's numbering plans (the "max" metadata, which checks
# numbers by pattern as the server's is_valid_number does).
PHONE_LIBRARY = HERE.parent / "node_modules" / "libphonenumber-js" / "bundle" / \
    "libphonenumber-max.js"
PHONE_SCRIPT = "telefonnummer.js"
# The staff console's QR code of the authenticator key (the npm package qrcode-generator; its
# plain script defines the global `qrcode`), drawn as SVG elements by personale.js.
QR_LIBRARY = HERE.parent / "node_modules" / "qrcode-generator" / "dist" / "qrcode.js"
QR_SCRIPT = "qrkode.js"
# What a page template may set: a landing page for an email link (no menu, not indexed), the
# menu entry it is, whether its form needs its script.
DEFAULTS = {"landing": False, "current": "", "needs_script": False}


def content_security_policy(connect: tuple[str, ...] = ()) -> str:
    """The Content-Security-Policy of every page, public and staff: scripts, styles and
    everything else from this origin only (no inline script or style), connections to this
    origin (the API) and `connect` (Cognito's endpoint, for the staff's sign-in), never framed.
    CloudFront's response headers policy sends it when deployed, the local server locally."""
    sources = " ".join(("'self'", *connect))
    return "; ".join([
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self'",
        f"connect-src {sources}", "frame-ancestors 'none'",
        "base-uri 'self'", "form-action 'self'", "object-src 'none'",
    ])


# The Referrer-Policy of every answer, page or API: no address (nor a token that may be in
# one) is ever sent on as Referer, to this origin or another.
REFERRER_POLICY = "no-referrer"


def security_headers(connect: tuple[str, ...] = ()) -> dict[str, str]:
    """The headers CloudFront's response headers policy adds to every answer (infra/pages.py
    builds the policy from the same values), which the local server sends too."""
    return {
        "Content-Security-Policy": content_security_policy(connect),
        "Referrer-Policy": REFERRER_POLICY,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
    }


def site_values(config: DeployConfig | None = None) -> dict[str, Any]:
    """What the pages show of the configuration (cdk.json's when none is given)."""
    if config is None:
        from infra.config import cdk_context, load_config

        config = load_config(cdk_context())
    return {
        "contact_email": config.contact_email,
        "consultant_name": config.consultant_name,
        "consultant_reply_days": config.consultant_reply_days,
        "registration_retention_days": config.registration_retention_days,
        "registration_confirm_link_hours": config.registration_confirm_link_hours,
        "advisory_retention_days": config.advisory_retention_days,
        "log_retention_days": config.log_retention_days,
        "newsletter_left_kept_days": LEFT_KEPT_DAYS,
        "privacy_version": PRIVACY_NOTICE_VERSION,
        "privacy_page": PRIVACY_PAGE,
    }


def _sources() -> list[Path]:
    found = [p for folder in (TEMPLATES, STATIC) for p in folder.rglob("*") if p.is_file()]
    return sorted([*found, PHONE_LIBRARY, QR_LIBRARY])


def _digest(values: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(values, sort_keys=True).encode())
    for path in _sources():
        digest.update(str(path.relative_to(HERE.parent)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def render_into(target: Path, values: dict[str, Any] | None = None) -> None:
    """Render every page (templates not starting with `_`) and copy the static files."""
    environment = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                              autoescape=select_autoescape(["html"]), trim_blocks=True,
                              lstrip_blocks=True, keep_trailing_newline=True)
    shutil.copytree(STATIC, target, dirs_exist_ok=True)
    shutil.copyfile(PHONE_LIBRARY, target / PHONE_SCRIPT)
    shutil.copyfile(QR_LIBRARY, target / QR_SCRIPT)
    # Globals: the form parts (imported macros) see the configuration's values too.
    environment.globals.update(values if values is not None else site_values())
    for template in sorted(TEMPLATES.rglob("[!_]*.html")):
        name = template.relative_to(TEMPLATES).as_posix()  # personale/… : the staff console
        page = environment.get_template(name).render(**DEFAULTS)
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        (target / name).write_text(page, encoding="utf-8")


def build(root: Path, values: dict[str, Any] | None = None) -> Path:
    """The rendered site under `root` (built now if its sources or values changed)."""
    values = values if values is not None else site_values()
    site = root / f"site-{_digest(values)}"
    if site.is_dir():
        return site
    root.mkdir(parents=True, exist_ok=True)
    draft = Path(tempfile.mkdtemp(prefix=".site-", dir=root))
    render_into(draft, values)
    try:
        os.rename(draft, site)
    except OSError:  # another process finished the same site first
        shutil.rmtree(draft, ignore_errors=True)
    return site
