"""The REST resolver every API function uses, with errors mapped to answers in one place.

- a DomainError becomes its status with `{"code", "message"}`;
- invalid input becomes 422 `{"errors": [{"field", "code", "message"}]}` (Danish messages);
- a body that is not JSON becomes 400, an unknown route 404, a too large body 413;
- anything unexpected is logged (without the request) and answered 500 without details."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.params import Header

from shared.errors import DomainError, FieldError, InvalidInput, PayloadTooLarge
from shared.names import ENV_MAX_BODY_BYTES
from shared.observability import logger
from shared.validation import field_errors

DEFAULT_MAX_BODY_BYTES = 16 * 1024

# The header a form page sends with each submission, so a resubmitted form is recognised.
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


def json_response(status: int, body: Any) -> Response[Any]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


def error_response(status: int, code: str, message: str) -> Response[Any]:
    return json_response(status, {"code": code, "message": message})


def invalid_input_response(errors: list[FieldError]) -> Response[Any]:
    body = {"errors": [{"field": e.field, "code": e.code, "message": e.message} for e in errors]}
    return json_response(422, body)


def _form_as_json(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """A plain HTML form post (urlencoded) is read like the same fields sent as JSON."""
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    if not headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return event
    raw = event.get("body") or ""
    if event.get("isBase64Encoded"):
        raw = base64.b64decode(raw).decode("utf-8", "replace")
    fields = {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}
    json_headers = {**(event.get("headers") or {}), "Content-Type": "application/json"}
    json_headers = {k: v for k, v in json_headers.items()
                    if k.lower() != "content-type" or k == "Content-Type"}
    return {**event, "body": json.dumps(fields), "isBase64Encoded": False,
            "headers": json_headers}


class Resolver(APIGatewayRestResolver):
    """Refuses a too large body before anything parses it."""

    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        limit = int(os.environ.get(ENV_MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES))
        body = event.get("body") or ""
        if len(body.encode("utf-8")) > limit:
            logger.info("refused", extra={"code": PayloadTooLarge.code, "status": 413})
            return {
                "statusCode": 413,
                "headers": {"Content-Type": content_types.APPLICATION_JSON},
                "body": json.dumps({"code": PayloadTooLarge.code,
                                    "message": PayloadTooLarge.message}),
                "isBase64Encoded": False,
            }
        return super().resolve(_form_as_json(event), context)


def create_resolver() -> Resolver:
    app = Resolver(enable_validation=True)

    @app.exception_handler(DomainError)
    def _domain_error(exc: DomainError) -> Response[Any]:
        logger.info("refused", extra={"code": exc.code, "status": exc.status})
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(InvalidInput)
    def _invalid_input(exc: InvalidInput) -> Response[Any]:
        logger.info("invalid input", extra={"fields": [e.field for e in exc.errors]})
        return invalid_input_response(exc.errors)

    @app.exception_handler(RequestValidationError)
    def _request_validation(exc: RequestValidationError) -> Response[Any]:
        errors = list(exc.errors())
        if any(e.get("type") == "json_invalid" for e in errors):
            logger.info("malformed json body")
            return error_response(400, "invalid_json", "Indholdet er ikke gyldig JSON.")
        found = field_errors(errors)
        logger.info("invalid input", extra={"fields": [e.field for e in found]})
        return invalid_input_response(found)

    @app.not_found
    def _not_found(exc: NotFoundError) -> Response[Any]:
        return error_response(404, "not_found", "Adressen findes ikke.")

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response[Any]:
        logger.exception("unexpected error")
        return error_response(500, "internal_error", "Der skete en fejl. Prøv igen om lidt.")

    return app
