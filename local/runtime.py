"""The whole backend on this machine: the emulator with the template's resources, the
functions in their own processes, queue pollers, schedules, and the outbox."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

from local import demo
from local.authorizer import CognitoAuthorizers
from local.drivers import QueuePoller, ScheduleClock, StreamPoller, schedule_event, settled
from local.emulator import Emulator
from local.functions import LocalFunction
from local.gateway import Gateway
from local.outbox import Outbox
from local.plan import Plan, Schedule, UnsupportedResource, build_plan
from local.synth import ROOT
from shared.adapters.aws import reset_clients
from shared.platform.names import ENV_PUBLIC_URL

STATE = ROOT / ".local"


def stack_region() -> str:
    """The region the stack is pinned to in cdk.json."""
    from infra.config import cdk_context, load_config

    return load_config(cdk_context()).region


class LocalRuntime:
    def __init__(self, template: dict[str, Any], *, region: str | None = None,
                 concurrency: int = 4, state: Path = STATE, public_url: str | None = None,
                 emulator_port: int | None = None) -> None:
        self.public_url = public_url
        region = region or stack_region()
        self.template = template
        self.plan: Plan = build_plan(template)
        self.emulator = Emulator(region, emulator_port)
        self.state = state
        self.concurrency = concurrency
        self.functions: dict[str, LocalFunction] = {}
        self.pollers: list[QueuePoller | StreamPoller] = []
        self.stop_event = threading.Event()
        self.gateway = Gateway(self.plan.routes, self.plan.gateway_responses)
        self.outbox = Outbox(region, state / "outbox")
        self.clock: ScheduleClock | None = None
        self.authorizers = CognitoAuthorizers(self.plan, self.emulator)
        self.staff_users: list[Any] = []  # the demo staff (local.staff.DemoUser)

    def start(self, *, load_demo: bool = True) -> None:
        if self.public_url:
            self.emulator.served_origin = self.public_url  # this server stands for CloudFront
        self.emulator.start()
        os.environ.update(self.emulator.environment)  # this process talks to the emulator too
        reset_clients()  # clients made for an earlier endpoint would not reach this one
        self.emulator.build(self.plan)
        self.outbox.watch()  # .eml files as each email is sent, from now on
        logs = self.state / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        for logical_id in sorted(self.plan.served_functions):
            spec = self.plan.functions[logical_id]
            environment = {
                **{k: str(v) for k, v in self.emulator.resolve(spec.environment).items()},
                **self.emulator.environment,
                "AWS_LAMBDA_FUNCTION_NAME": logical_id,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory),
                "POWERTOOLS_TRACE_DISABLED": "true",
                # LOCAL_LOG_LEVEL=DEBUG shows everything the functions log.
                **({"POWERTOOLS_LOG_LEVEL": os.environ["LOCAL_LOG_LEVEL"]}
                   if os.environ.get("LOCAL_LOG_LEVEL") else {}),
                "LANG": "C.UTF-8",
                "PATH": os.environ.get("PATH", ""),
            }
            link_base = environment.get(ENV_PUBLIC_URL)
            if link_base is not None and link_base != self.emulator.served_origin:
                raise UnsupportedResource(
                    f"{logical_id}: {ENV_PUBLIC_URL} {link_base} is not an address the "
                    "distribution serves, so its links would not reach the pages")
            self.functions[logical_id] = LocalFunction(
                logical_id, spec.handler, environment, memory=spec.memory,
                timeout=spec.timeout, concurrency=self.concurrency,
                log_file=logs / f"{logical_id}.log",
            )
        sqs = self.emulator.client("sqs")
        streams = self.emulator.client("dynamodbstreams")
        for source in self.plan.event_sources:
            if not source.enabled:
                continue
            function = self.functions[source.function]
            pollers: list[QueuePoller | StreamPoller]
            if source.kind == "sqs":
                queue = self.emulator.physical[source.source]
                # As many pollers as the mapping's maximum concurrency, as Lambda scales.
                pollers = [QueuePoller(source, function, sqs, queue["QueueUrl"], queue["Arn"],
                                       self.emulator.region, self.stop_event)
                           for _ in range(max(source.concurrency, 1))]
            else:
                failures = self.emulator.physical.get(source.on_failure or "", {}).get("QueueUrl")
                pollers = [StreamPoller(source, function, streams,
                                        self.emulator.physical[source.source]["StreamArn"], sqs,
                                        failures, self.stop_event)]
            for poller in pollers:
                poller.start()
                self.pollers.append(poller)
        self.clock = ScheduleClock(self.plan.schedules, self._fire, self.stop_event)
        self.clock.start()
        if load_demo:
            self.load_demo()

    def load_demo(self) -> None:
        from local.staff import create_demo_users

        self.load_demo_into(self.emulator)
        self.staff_users = create_demo_users(self.plan, self.emulator)

    def staff_config(self) -> dict[str, Any] | None:
        from local.staff import sign_in_config

        return sign_in_config(self.plan, self.emulator)

    @staticmethod
    def load_demo_into(emulator: Emulator) -> None:
        """The demo forums, imported as the secretariat imports a file."""
        from shared.adapters.dynamodb_catalogue import DynamoCatalogueStore
        from shared.forums.catalogue import Catalogue
        from shared.platform.names import PARAM_FORUMS_TABLE

        ssm = emulator.client("ssm")
        table = ssm.get_parameter(Name=PARAM_FORUMS_TABLE)["Parameter"]["Value"]
        store = DynamoCatalogueStore(table, emulator.client("dynamodb"))
        Catalogue(store).import_file(demo.catalogue())

    def _fire(self, schedule: Schedule) -> Any:
        event = schedule_event(schedule)
        if schedule.target_kind == "function":
            return self.functions[schedule.target].invoke(event)
        url = self.emulator.physical[schedule.target]["QueueUrl"]
        return self.emulator.client("sqs").send_message(QueueUrl=url, MessageBody=json.dumps(event))

    def inject_ses_event(self, kind: str, address: str, issue: str | None = None,
                         bounce_type: str = "Permanent") -> int:
        """What SES would publish for a bounce or complaint (moto publishes none): sent to
        every SNS topic the configuration set's event destinations name for that kind."""
        event: dict[str, Any] = {
            "eventType": kind,
            "mail": {"destination": [address], "source": "local",
                     "tags": {"issue": [issue]} if issue else {}},
        }
        if kind == "Bounce":
            event["bounce"] = {"bounceType": bounce_type,
                               "bouncedRecipients": [{"emailAddress": address}]}
        else:
            event["complaint"] = {"complainedRecipients": [{"emailAddress": address}]}
        sns = self.emulator.client("sns")
        published = 0
        for topic, kinds in self.plan.event_destinations:
            if kind.lower() in (k.lower() for k in kinds):
                sns.publish(TopicArn=self.emulator.physical[topic]["Ref"],
                            Message=json.dumps(event))
                published += 1
        return published

    def settle(self, seconds: float = 30) -> bool:
        """Wait until the queue and stream consumers have nothing left to do (what a request or
        a fired schedule set off has run its course): True, or False after `seconds`."""
        since = time.monotonic()
        deadline = since + seconds
        while time.monotonic() < deadline:
            if settled(self.pollers, since):
                return True
            self.stop_event.wait(0.05)
        return False

    def fire_schedule(self, name: str) -> Any:
        assert self.clock is not None
        return self.clock.fire(name)

    def info(self) -> dict[str, Any]:
        """What runs here, as the no-drift check and operators see it."""
        return {
            "aws_endpoint_url": self.emulator.endpoint,
            "region": self.emulator.region,
            "functions": sorted(self.functions),
            "invocations": {name: {"count": f.invocations, "aws_calls": f.aws_calls}
                            for name, f in sorted(self.functions.items())},
            "routes": sorted(f"{r.method} {r.path}" for r in self.plan.routes),
            "tables": sorted(self.emulator.physical[t.logical_id]["Ref"] for t in self.plan.tables),
            "queues": sorted(q.logical_id for q in self.plan.queues),
            "event_sources": sorted({f"{p.source.source}->{p.source.function}"
                                     for p in self.pollers}),
            "schedules": sorted(self.clock.schedules) if self.clock else [],
        }

    def close(self) -> None:
        self.stop_event.set()
        for function in self.functions.values():
            function.close()
        self.emulator.stop()
