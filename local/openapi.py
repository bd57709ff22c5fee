"""The OpenAPI document of the public API, generated from the API functions (Powertools) and
merged into one: `python -m local.openapi > docs/openapi.json`. A test keeps the
committed document current."""

from __future__ import annotations

import importlib
import json
import os
import sys
from typing import Any

from shared.platform.names import ENV_PUBLIC_URL

TITLE = "Ledere af ledere – public API"
VERSION = "1.0.0"


def api_handlers(template: dict[str, Any]) -> list[tuple[str, dict[str, str], bool]]:
    """Each API function's handler module, the names of its environment variables, and
    whether its routes are behind the staff's authorizer."""
    from local.plan import build_plan

    plan = build_plan(template)
    seen: dict[str, dict[str, str]] = {}
    signed_in: set[str] = set()
    for route in plan.routes:
        spec = plan.functions[route.function]
        module = spec.handler.rpartition(".")[0]
        # Plain values as the template gives them; references to resources as placeholders
        # (the link base is the distribution's address: a URL).
        seen[module] = {name: value if isinstance(value, str) else
                        "https://placeholder.invalid" if name == ENV_PUBLIC_URL else "placeholder"
                        for name, value in spec.environment.items()}
        if route.authorizer:
            signed_in.add(module)
    return [(module, environment, module in signed_in)
            for module, environment in sorted(seen.items())]


def document(template: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {"openapi": "3.1.0", "info": {"title": TITLE, "version": VERSION},
                              "paths": {}, "components": {"schemas": {}}}
    from shared.edge.staff import openapi_security_schemes

    for module_name, environment, staff in api_handlers(template):
        for name, value in environment.items():
            os.environ.setdefault(name, value)
        os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
        module = importlib.import_module(module_name)
        schema = module.app.get_openapi_schema(
            title=TITLE, version=VERSION,
            security_schemes=openapi_security_schemes() if staff else None)
        part = schema.model_dump(mode="json", by_alias=True, exclude_none=True)
        merged["paths"].update(part.get("paths", {}))
        merged["components"]["schemas"].update(part.get("components", {}).get("schemas", {}))
        if "securitySchemes" in part.get("components", {}):
            merged["components"].setdefault("securitySchemes", {}).update(
                part["components"]["securitySchemes"])
    merged["paths"] = dict(sorted(merged["paths"].items()))
    merged["components"]["schemas"] = dict(sorted(merged["components"]["schemas"].items()))
    return merged


def main() -> None:
    from local.synth import load_template

    json.dump(document(load_template()), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
