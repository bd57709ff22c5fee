"""Powertools Logger and Metrics, configured by the environment of each function.

Logs carry ids, codes and counts, never names, emails, phones or message texts. Tracing is
Lambda's active tracing (one segment per invocation, with its initialization), without the
X-Ray SDK: see docs/operations.md, Tracing and cold starts."""

from __future__ import annotations

import warnings

from aws_lambda_powertools import Logger, Metrics

from shared.platform.names import METRICS_NAMESPACE

logger = Logger()
metrics = Metrics(namespace=METRICS_NAMESPACE)
# Many invocations legitimately publish no metric (a read, a form answered with field
# errors, a stream change that calls for no email): Powertools' documented way to keep its
# "No application metrics to publish" warning out of every such function log.
warnings.filterwarnings("ignore", "No application metrics to publish*")
