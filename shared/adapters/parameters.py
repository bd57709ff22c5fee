"""SSM parameters the stack writes, through which operator tools find its resources."""

from __future__ import annotations

from shared.adapters.aws import client


class MissingParameter(LookupError):
    pass


def parameter(name: str) -> str:
    ssm = client("ssm")
    try:
        return str(ssm.get_parameter(Name=name)["Parameter"]["Value"])
    except ssm.exceptions.ParameterNotFound as exc:
        raise MissingParameter(name) from exc
