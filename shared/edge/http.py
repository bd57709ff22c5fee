"""The REST resolver every API function uses, with errors mapped to answers in one place.

- a DomainError becomes its status with `{"code", "message"}`;
- invalid input becomes 422 `{"errors": [{"field", "code", "message"}]}` (Danish messages);
- a body that is not JSON (or not UTF-8) becomes 400, an unknown route 404, a too large body
  413, a body of another media type than JSON or a form 415;
- anything unexpected is logged (without the request) and answered 500 without details."""

from __future__ import annotations

import base64
import importlib
import importlib.util
import json
import re
import sys
from collections.abc import Mapping
from html import escape
from typing import Annotated, Any
from urllib.parse import parse_qs


def _without_package_init(package: str, primary: str) -> None:
    """Makes the submodules of `package` importable without running its `__init__`, which
    imports every resolver Powertools has (AppSync with asyncio, Bedrock, VPC Lattice, …):
    a tenth of a cold start for the one REST resolver used here. A name asked of the package
    itself is a submodule's, then `primary`'s, and only then does the real `__init__` run, so
    every import of the package keeps working."""
    if package in sys.modules:
        return
    spec = importlib.util.find_spec(package)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    loader = spec.loader

    def attribute(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return importlib.import_module(f"{package}.{name}")
        except ModuleNotFoundError as missing:
            if missing.name != f"{package}.{name}":
                raise
        found = importlib.import_module(f"{package}.{primary}")
        if hasattr(found, name):
            return getattr(found, name)
        loader.exec_module(module)  # the whole package, as a plain import would give it
        return module.__dict__[name]

    module.__getattr__ = attribute  # type: ignore[method-assign]
    sys.modules[package] = module


# Before anything imports from it: handlers take Body, Query and Response from here.
_without_package_init("aws_lambda_powertools.event_handler", "api_gateway")

from aws_lambda_powertools.event_handler import content_types  # noqa: E402
from aws_lambda_powertools.event_handler.api_gateway import (  # noqa: E402
    APIGatewayRestResolver,
)
from aws_lambda_powertools.event_handler.api_gateway import Response as Response  # noqa: E402
from aws_lambda_powertools.event_handler.exceptions import NotFoundError  # noqa: E402
from aws_lambda_powertools.event_handler.openapi.exceptions import (  # noqa: E402
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.params import Body as Body  # noqa: E402
from aws_lambda_powertools.event_handler.openapi.params import Header  # noqa: E402
from aws_lambda_powertools.event_handler.openapi.params import Query as Query  # noqa: E402
from pydantic import BaseModel, ConfigDict  # noqa: E402

from shared.edge import html_answer  # noqa: E402
from shared.errors import (  # noqa: E402
    DomainError,
    FieldError,
    InvalidInput,
    NotText,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from shared.platform.observability import logger  # noqa: E402
from shared.validation import field_errors  # noqa: E402

# The largest body a function reads (the WAF and docs/operations.md say the same 16 KB).
MAX_BODY_BYTES = 16 * 1024

# The answer models below describe answers in the OpenAPI document; answers are built as
# plain dicts, so their validators are built only if the document is asked for (cold starts).
DOCUMENTED_ONLY = ConfigDict(defer_build=True)


class FieldErrorAnswer(BaseModel):
    model_config = DOCUMENTED_ONLY

    field: str
    code: str
    message: str


class InvalidInputAnswer(BaseModel):
    """422: one entry per failing field, the message in Danish."""

    model_config = DOCUMENTED_ONLY

    errors: list[FieldErrorAnswer]


class RefusalAnswer(BaseModel):
    """A refusal: a machine-readable code and a Danish message."""

    model_config = DOCUMENTED_ONLY

    code: str
    message: str


class StatusAnswer(BaseModel):
    model_config = DOCUMENTED_ONLY

    status: str


_REFUSALS = {400: "Malformed body or an invalid link", 404: "Not found",
             409: "Refused in the current state", 413: "Body larger than the limit",
             415: "Body neither JSON nor a form",
             422: "Field errors"}


def responses(answers: dict[int, type[BaseModel]], *refusals: int) -> dict[int, Any]:
    """The OpenAPI responses of a route: its answers and the refusals it can give (every
    route that reads a body can also answer 400, 413, 415 and 422)."""
    documented: dict[int, Any] = {
        status: {"description": "Answer", "content": {"application/json": {"model": model}}}
        for status, model in answers.items()}
    for status in sorted({*refusals}):
        model = InvalidInputAnswer if status == 422 else RefusalAnswer
        documented[status] = {"description": _REFUSALS[status],
                              "content": {"application/json": {"model": model}}}
    return documented


BODY_REFUSALS = (400, 413, 415, 422)

# The header a form page sends with each submission, so a resubmitted form is recognised.
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


def json_response(status: int, body: Any) -> Response[Any]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


def see_other(location: str) -> Response[Any]:
    """303 to `location` (a path on this origin: pages and API share it, locally and behind
    CloudFront), with a small Danish page for a client that does not follow it."""
    target = escape(location, quote=True)
    page = (f'<!doctype html><html lang="da"><meta charset="utf-8"><title>Videre</title>'
            f'<p><a href="{target}">Fortsæt til siden</a></p></html>')
    return Response(status_code=303, content_type="text/html; charset=utf-8", body=page,
                    headers={"Location": location})


def error_response(status: int, code: str, message: str) -> Response[Any]:
    return json_response(status, {"code": code, "message": message})


def invalid_input_response(errors: list[FieldError]) -> Response[Any]:
    body = {"errors": [{"field": e.field, "code": e.code, "message": e.message} for e in errors]}
    return json_response(422, body)


def _as_json(event: Mapping[str, Any], body: str | None) -> dict[str, Any]:
    """The event with `body` as its JSON body, under one `Content-Type` header in lower case
    (media types are case-insensitive, RFC 9110; the parser downstream compares exactly)."""
    headers = {k: v for k, v in (event.get("headers") or {}).items()
               if k.lower() != "content-type"}
    multi = {k: v for k, v in (event.get("multiValueHeaders") or {}).items()
             if k.lower() != "content-type"}
    if body is not None:
        headers["Content-Type"], multi["Content-Type"] = "application/json", ["application/json"]
    return {**event, "body": body, "headers": headers or None,
            "multiValueHeaders": multi or None, "isBase64Encoded": False}


def _form_fields(media_type: str, content_type: str, text: str) -> dict[str, str]:
    """The fields of a form post, urlencoded or multipart/form-data (RFC 7578); a field left
    blank in a form is a field not given, as the pages' script sends it. Parts that carry a
    file are not fields of any of our forms and are left out."""
    if media_type == FORM:
        return {k: v[-1] for k, v in parse_qs(text).items()}
    boundary = re.search(r'boundary="?([^";]+)"?', content_type, flags=re.IGNORECASE)
    if boundary is None or not text.strip():
        # A one-click unsubscribe may come with an empty body whatever its media type says.
        if not text.strip():
            return {}
        raise MalformedForm()
    from email.parser import BytesParser
    from email.policy import HTTP

    raw = (f"Content-Type: multipart/form-data; boundary=\"{boundary.group(1)}\"\r\n\r\n"
           + text).encode("utf-8")
    message = BytesParser(policy=HTTP).parsebytes(raw)
    if not message.is_multipart() or message.defects:
        raise MalformedForm()
    fields: dict[str, str] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or part.get_filename() is not None:
            continue
        payload = part.get_payload(decode=True)
        value = payload.decode("utf-8", errors="strict") if isinstance(payload, bytes) else ""
        if value:
            fields[name] = value
    return fields


def _loads(text: str) -> Any:
    """JSON as the resolver reads it: a number too long for Python (over 4,300 digits) or
    nesting deeper than the parser goes is a refusal, not a server error."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except (ValueError, RecursionError):
        raise UnreadableJson() from None


def _refusal(error: type[DomainError] | DomainError) -> dict[str, Any]:
    """An answer given before the resolver runs, in the resolver's own shape."""
    logger.info("refused", extra={"code": error.code, "status": error.status})
    return {"statusCode": error.status,
            "headers": {"Content-Type": content_types.APPLICATION_JSON},
            "body": json.dumps({"code": error.code, "message": error.message}),
            "isBase64Encoded": False}


def _no_store(result: dict[str, Any]) -> dict[str, Any]:
    """The answer with `Cache-Control: no-store` (in `multiValueHeaders` too when it has
    them: API Gateway merges both, the multi-valued one winning)."""
    result["headers"] = {**(result.get("headers") or {}), "Cache-Control": "no-store"}
    if result.get("multiValueHeaders"):
        result["multiValueHeaders"] = {**result["multiValueHeaders"],
                                       "Cache-Control": ["no-store"]}
    return result


class MalformedForm(DomainError):
    code = "invalid_form"
    message = "Formularen kunne ikke læses."


class UnreadableJson(DomainError):
    code = "unreadable_json"
    message = "Indholdet kan ikke læses: et tal er for langt, eller det er for dybt indlejret."


# What the public forms send: JSON from the pages' script, urlencoded from a plain form post,
# multipart/form-data from a mail client's one-click unsubscribe (RFC 8058) or a form.
FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
ACCEPTED_MEDIA_TYPES = {"application/json", FORM, MULTIPART}


class Resolver(APIGatewayRestResolver):
    """Refuses a too large body, one that is not UTF-8 text, and any media type other than
    JSON or a form, before anything parses it; reads a form (urlencoded or multipart) like
    the same fields sent as JSON; answers a browser's plain form post (no script) with a
    page instead of JSON."""

    # A staff function's group: everyone else is refused (403) before anything reads the
    # request, routes `ANY_SIGNED_IN` aside. Each route checks its group again.
    staff_group: str | None = None
    ANY_SIGNED_IN = frozenset({"/api/staff/me"})
    # Routes (API Gateway resources) that read a larger body than MAX_BODY_BYTES, and how
    # large: a staff function names them (the editor's subscriber import takes a whole file).
    body_limits: dict[str, int] = {}  # noqa: RUF012 - replaced per resolver, never mutated

    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        if self.staff_group is None:
            return self._answer_request(event, context)
        refused = self._outside_group(event)
        # A staff answer is about people (participants, requests, addresses): no browser or
        # proxy may keep it, whatever it is, refusals included.
        return _no_store(refused if refused is not None else self._answer_request(event, context))

    def _answer_request(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        headers = {k.lower(): str(v) for k, v in (event.get("headers") or {}).items()}
        content_type = headers.get("content-type", "")
        media_type = content_type.split(";")[0].strip().lower()
        result = self._answer(event, context, media_type, content_type)
        if html_answer.wants_page(media_type, headers.get("accept", "")):
            return html_answer.page(result, headers.get("referer", ""),
                                    str(event.get("path") or ""))
        return result

    def _outside_group(self, event: Mapping[str, Any]) -> dict[str, Any] | None:
        from shared.edge.staff import require, staff_user

        claims = ((event.get("requestContext") or {}).get("authorizer") or {}).get("claims")
        try:
            user = staff_user(claims)
            if event.get("resource") not in self.ANY_SIGNED_IN:
                require(user, str(self.staff_group))
        except DomainError as exc:
            return _refusal(exc)
        return None

    def _answer(self, event: Mapping[str, Any], context: Any, media_type: str,
                content_type: str) -> dict[str, Any]:
        if media_type and media_type not in ACCEPTED_MEDIA_TYPES:
            return _refusal(UnsupportedMediaType)
        body = event.get("body") or ""
        try:
            raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
        except ValueError:
            raw = b"\xff"  # not base64 after all: refused below like any non-text body
        if len(raw) > self.body_limits.get(str(event.get("resource")), MAX_BODY_BYTES):
            return _refusal(PayloadTooLarge)
        try:
            # A byte order mark before JSON is ignored, as RFC 8259 8.1 allows (some Windows
            # tools write one).
            text = raw.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            return _refusal(NotText)
        if media_type in (FORM, MULTIPART):
            try:
                text = json.dumps(_form_fields(media_type, content_type, text))
            except (MalformedForm, UnicodeDecodeError):
                return _refusal(MalformedForm)
        given = event.get("body") is not None or media_type in (FORM, MULTIPART)
        return super().resolve(_as_json(event, text if given else None), context)


def create_resolver(staff_group: str | None = None) -> Resolver:
    """The resolver of an API function; with `staff_group`, of a staff function that serves
    that group alone."""
    app = Resolver(enable_validation=True, json_body_deserializer=_loads)
    app.staff_group = staff_group

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


def staff_responses(answers: dict[int, type[BaseModel]], *refusals: int) -> dict[int, Any]:
    """A staff route's answers, with the gateway's 401 and the handler's 403, and the
    refusals the resolver gives any route before it runs: a body not UTF-8 (400), too large
    (413) or of another media type (415), whether the route reads a body or not."""
    return {**responses(answers, 400, 413, 415, *refusals),
            401: {"description": "No valid ID token of the staff user pool",
                  "content": {"application/json": {"model": RefusalAnswer}}},
            403: {"description": "Signed in, but not in the route's group",
                  "content": {"application/json": {"model": RefusalAnswer}}}}
