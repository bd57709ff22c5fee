"""Envelope encryption with KMS (Powertools data masking, AWS Encryption SDK provider).

Each request's contents are encrypted under a data key from the advisory KMS key, bound to
the request by the encryption context; decrypting needs kms:Decrypt on that key (only the
consultant's role has it) and the same context."""

from __future__ import annotations

from functools import cached_property
from typing import Any

PURPOSE = "leaders-advisory"


class KmsSealer:
    def __init__(self, key_arn: str) -> None:
        self._key_arn = key_arn

    @cached_property
    def _masking(self) -> Any:
        from aws_lambda_powertools.utilities.data_masking import DataMasking
        from aws_lambda_powertools.utilities.data_masking.provider.kms.aws_encryption_sdk import (
            AWSEncryptionSDKProvider,
        )

        return DataMasking(provider=AWSEncryptionSDKProvider(keys=[self._key_arn]))

    def seal(self, contents: dict[str, object], reference: str) -> str:
        return str(self._masking.encrypt(contents, reference=reference, purpose=PURPOSE))

    def open(self, sealed: str, reference: str) -> dict[str, object]:
        return dict(self._masking.decrypt(sealed, reference=reference, purpose=PURPOSE))


def prime() -> None:
    """Loads the Encryption SDK's modules (with `cryptography`), done before a SnapStart
    snapshot; the provider and its KMS client are made after the restore, as clients are
    (see shared/platform/snapstart.py)."""
    import aws_lambda_powertools.utilities.data_masking
    import aws_lambda_powertools.utilities.data_masking.provider.kms.aws_encryption_sdk  # noqa: F401
