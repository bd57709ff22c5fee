"""Business metrics from outside Lambda (the operator CLI): CloudWatch PutMetricData into the
same namespace the functions' EMF metrics use."""

from __future__ import annotations

from shared.adapters.aws import client
from shared.platform.names import METRICS_NAMESPACE


class CloudWatchCounter:
    def __init__(self, service: str) -> None:
        self._service = service

    def count(self, name: str, value: float = 1) -> None:
        client("cloudwatch").put_metric_data(
            Namespace=METRICS_NAMESPACE,
            MetricData=[{"MetricName": name, "Value": value, "Unit": "Count",
                         "Dimensions": [{"Name": "service", "Value": self._service}]}],
        )
