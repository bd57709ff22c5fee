"""API Gateway's REST proxy integration, locally: route matching, the proxy event a function
receives, and the gateway's own answers (unknown route, too large body)."""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from local.plan import GatewayResponse, Route

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024  # API Gateway's hard limit
STAGE = "prod"


@dataclass(frozen=True)
class Match:
    route: Route
    path_parameters: dict[str, str]


def _pattern(path: str) -> re.Pattern[str]:
    parts = []
    for part in path.strip("/").split("/"):
        if part.startswith("{") and part.endswith("+}"):
            parts.append(f"(?P<{part[1:-2]}>.+)")
        elif part.startswith("{") and part.endswith("}"):
            parts.append(f"(?P<{part[1:-1]}>[^/]+)")
        else:
            parts.append(re.escape(part))
    # API Gateway routes `/a/b/` as `/a/b` (the archive's address ends in a slash).
    return re.compile("^/" + "/".join(parts) + "/?$")


class Gateway:
    def __init__(self, routes: list[Route], responses: dict[str, GatewayResponse]) -> None:
        self.routes = routes
        self.responses = responses
        self._compiled = [(_pattern(r.path), r) for r in routes]

    def match(self, method: str, path: str) -> Match | None:
        for pattern, route in self._compiled:
            found = pattern.match(path)
            if found and route.method in (method, "ANY"):
                return Match(route, found.groupdict())
        return None

    def gateway_response(self, response_type: str, default_status: int) -> tuple[int, bytes]:
        response = self.responses.get(response_type)
        if response is None:
            return default_status, json.dumps({"message": "Forbidden"}).encode()
        return response.status, response.body.encode()

    @staticmethod
    def event(match: Match, method: str, raw_path: str, headers: dict[str, str],
              body: bytes, source_ip: str) -> dict[str, Any]:
        url = urlsplit(raw_path)
        query = parse_qs(url.query, keep_blank_values=True)
        text: str | None
        is_base64 = False
        if not body:
            text = None
        else:
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                text, is_base64 = base64.b64encode(body).decode(), True
        request_id = str(uuid.uuid4())
        return {
            "resource": match.route.path,
            "path": url.path,
            "httpMethod": method,
            "headers": headers or None,
            "multiValueHeaders": {k: [v] for k, v in headers.items()} or None,
            "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
            "multiValueQueryStringParameters": query or None,
            "pathParameters": match.path_parameters or None,
            "stageVariables": None,
            "requestContext": {
                "resourcePath": match.route.path,
                "httpMethod": method,
                "path": f"/{STAGE}{url.path}",
                "stage": STAGE,
                "requestId": request_id,
                "extendedRequestId": request_id,
                "requestTimeEpoch": int(time.time() * 1000),
                "protocol": "HTTP/1.1",
                "accountId": "123456789012",
                "apiId": "local",
                "identity": {"sourceIp": source_ip, "userAgent": headers.get("User-Agent")},
            },
            "body": text,
            "isBase64Encoded": is_base64,
        }

    @staticmethod
    def response(result: Any) -> tuple[int, list[tuple[str, str]], bytes]:
        """The HTTP answer for a proxy integration's result (502 when it is malformed)."""
        if not isinstance(result, dict) or "statusCode" not in result:
            error = b'{"message": "Internal server error"}'
            return 502, [("Content-Type", "application/json")], error
        headers = [(k, str(v)) for k, v in (result.get("headers") or {}).items()]
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers.extend((name, str(v)) for v in values)
        body = result.get("body") or ""
        data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode("utf-8")
        return int(result["statusCode"]), headers, data
