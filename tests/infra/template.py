"""Reading the synthesized template in the infrastructure tests."""

from __future__ import annotations

import json
from typing import Any


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    """The template's resources of one type, by logical id."""
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def get_atts(value: Any) -> list[list[str]]:
    """Every `Fn::GetAtt` in a value, however deep (a policy's resources, a URI)."""
    found: list[list[str]] = []
    if isinstance(value, dict):
        if "Fn::GetAtt" in value:
            found.append(value["Fn::GetAtt"])
        for child in value.values():
            found += get_atts(child)
    elif isinstance(value, list):
        for child in value:
            found += get_atts(child)
    return found


def invoked_function(template: dict[str, Any], reference: Any) -> str:
    """The function a trigger's reference names: itself, or (SnapStart) through its alias."""
    text = json.dumps(reference)
    aliases = {k: a["Properties"]["FunctionName"]["Ref"]
               for k, a in resources(template, "AWS::Lambda::Alias").items()}
    named = [function for alias, function in aliases.items() if f'"{alias}"' in text]
    named += [k for k in resources(template, "AWS::Lambda::Function") if f'"{k}"' in text]
    assert len(set(named)) == 1, text
    return named[0]
