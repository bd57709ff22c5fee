"""cdk-nag is wired into the app itself: a non-compliant resource stops the synth."""

from __future__ import annotations

from pathlib import Path

import pytest
from aws_cdk import aws_s3 as s3

from app import build_app
from shared.platform.names import STACK_NAME


def test_an_unacknowledged_finding_stops_synthesis(tmp_path: Path) -> None:
    app = build_app(str(tmp_path))
    stack = app.node.find_child(STACK_NAME)
    s3.Bucket(stack, "PlainBucket")  # no TLS enforcement, no access logs
    with pytest.raises(RuntimeError, match="ValidationFailed") as failed:
        app.synth()
    assert "AwsSolutions-S10" in str(failed.value)
    assert "LeadersOfLeaders/PlainBucket" in str(failed.value)
