"""The pages as members see them: the templates in pages/templates (one frame, one set of form
parts) rendered with the files of pages/static into one folder of plain static files, which
S3 serves when deployed and the local runtime serves on this machine.

The folder is named by a hash of its sources and written once, by renaming a finished copy
into place, so concurrent builds (synth, test workers, the runtime) never see half a site."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
# What a page template may set: a landing page for an email link (no menu, not indexed), the
# menu entry it is, whether its form needs its script.
DEFAULTS = {"landing": False, "current": "", "needs_script": False}


def _sources() -> list[Path]:
    return sorted(p for folder in (TEMPLATES, STATIC) for p in folder.rglob("*") if p.is_file())


def _digest() -> str:
    digest = hashlib.sha256()
    for path in _sources():
        digest.update(str(path.relative_to(HERE)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def render_into(target: Path) -> None:
    """Render every page (templates not starting with `_`) and copy the static files."""
    environment = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                              autoescape=select_autoescape(["html"]), trim_blocks=True,
                              lstrip_blocks=True, keep_trailing_newline=True)
    shutil.copytree(STATIC, target, dirs_exist_ok=True)
    for template in sorted(TEMPLATES.glob("[!_]*.html")):
        page = environment.get_template(template.name).render(**DEFAULTS)
        (target / template.name).write_text(page, encoding="utf-8")


def build(root: Path) -> Path:
    """The rendered site under `root` (built now if its sources changed)."""
    site = root / f"site-{_digest()}"
    if site.is_dir():
        return site
    root.mkdir(parents=True, exist_ok=True)
    draft = Path(tempfile.mkdtemp(prefix=".site-", dir=root))
    render_into(draft)
    try:
        os.rename(draft, site)
    except OSError:  # another process finished the same site first
        shutil.rmtree(draft, ignore_errors=True)
    return site
