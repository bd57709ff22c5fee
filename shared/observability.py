"""Powertools Logger, Metrics and Tracer, configured by the environment of each function.

Logs carry ids, codes and counts, never names, emails, phones or message texts."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

from shared.names import METRICS_NAMESPACE

logger = Logger()
metrics = Metrics(namespace=METRICS_NAMESPACE)
tracer = Tracer()
