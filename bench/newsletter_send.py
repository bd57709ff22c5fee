"""Sending an issue to 5,000 subscribers with SES throttling 5 % of sends: the achieved send
rate as a ratio of the configured rate (SES MaxSendRate), and who got it twice or not at all.

The rate is set to a figure the emulator sustains (every send is five DynamoDB calls and an
SES call against one emulator); two sender workers share it, as the sender's maximum
concurrency of two does in AWS."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from moto.ses.models import ses_backends

from local.emulator import ACCOUNT, Emulator
from local.faults import FlakySes
from local.plan import Plan

SUBSCRIBERS = 5000
RATE = 20.0  # sends per second, all senders together
WORKERS = 2
THROTTLE = 0.05


def _subscribers(emulator: Emulator, table: str, newsletter: Any) -> list[str]:
    """Confirmed subscribers written as a list import would write them."""
    ddb = emulator.client("dynamodb")
    now = datetime.now(UTC).isoformat()
    addresses = [f"abonnent{i}@example.dk" for i in range(SUBSCRIBERS)]
    items = []
    for address in addresses:
        sid = newsletter.subscriber_id(address)
        items.append({"PutRequest": {"Item": {
            "pk": {"S": f"SUB#{sid}"}, "sk": {"S": "SUB"}, "kind": {"S": "subscriber"},
            "subscriber_id": {"S": sid}, "email": {"S": address}, "name": {"S": "Abonnent"},
            "role": {"S": "area_leader"}, "status": {"S": "subscribed"}, "active": {"N": "1"},
            "created_at": {"S": now}, "confirmed_at": {"S": now},
            "consent_text_version": {"S": "bench"}, "consent_source": {"S": "import"}}}})
    for start in range(0, len(items), 25):
        ddb.batch_write_item(RequestItems={table: items[start:start + 25]})
    return addresses


def run(plan: Plan, emulator: Emulator) -> dict[str, Any]:
    from shared.adapters.dynamodb_newsletter import DynamoNewsletterStore
    from shared.adapters.ses_newsletter import SesNewsletterMail
    from shared.adapters.sqs_send_queue import SqsSendQueue
    from shared.adapters.wiring import signing_secret
    from shared.links import Links
    from shared.newsletter.editor import draft
    from shared.newsletter.ports import Throttled
    from shared.newsletter.service import Newsletter
    from shared.platform.names import PARAM_NEWSLETTER_SETTINGS

    settings = json.loads(emulator.client("ssm").get_parameter(
        Name=PARAM_NEWSLETTER_SETTINGS)["Parameter"]["Value"])
    table, url = settings["NEWSLETTER_TABLE_NAME"], settings["NEWSLETTER_SEND_QUEUE_URL"]
    store = DynamoNewsletterStore(table)
    flaky = FlakySes(emulator.client("sesv2"), throttle=THROTTLE)
    secret = signing_secret(settings["SIGNING_SECRET_ARN"])
    links = Links("https://ledere-af-ledere.example.dk")

    def service() -> Newsletter:  # one per worker: each has its own share of the rate
        mail = SesNewsletterMail(settings["SENDER_ADDRESS"], None, rate=RATE / WORKERS,
                                 ses=flaky)
        return Newsletter(store, mail, SqsSendQueue(url), secret, links)

    addresses = _subscribers(emulator, table, service())
    store.put_issue(draft("bench", "Benchmark-nummer", "<p>Hej</p>", markdown=False,
                          now=datetime.now(UTC)))
    service().approve("bench")
    service().dispatch("bench")
    sent_before = len(ses_backends[ACCOUNT][emulator.region].sent_messages)
    sqs = emulator.client("sqs")

    def worker() -> None:
        mine = service()
        while True:
            found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1,
                                        VisibilityTimeout=2).get("Messages", [])
            if not found:
                attributes = sqs.get_queue_attributes(
                    QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                                  "ApproximateNumberOfMessagesNotVisible"])
                if not any(int(v) for v in attributes["Attributes"].values()):
                    return
                time.sleep(0.2)
                continue
            work = json.loads(found[0]["Body"])
            try:
                for subscriber in work["subscribers"]:
                    mine.deliver(work["issue"], subscriber)
            except Throttled:
                continue  # a partial batch failure: the message comes back
            sqs.delete_message(QueueUrl=url, ReceiptHandle=found[0]["ReceiptHandle"])

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started

    sent = ses_backends[ACCOUNT][emulator.region].sent_messages[sent_before:]
    received = Counter(m.destinations[0] for m in sent)
    return {
        "subscribers": SUBSCRIBERS, "configured_rate": RATE, "workers": WORKERS,
        "throttle_share": THROTTLE, "throttled": flaky.throttled,
        "sent": len(sent), "seconds": seconds, "achieved_rate": len(sent) / seconds,
        "ratio": len(sent) / seconds / RATE,
        "duplicates": sum(1 for n in received.values() if n > 1),
        "missing": sum(1 for a in addresses if received[a] == 0),
    }


def main() -> None:
    """`python -m bench.newsletter_send`: this benchmark alone, printed as JSON."""
    from bench.emulated import emulated

    with emulated() as (plan, emulator):
        print(json.dumps(run(plan, emulator), indent=2))


if __name__ == "__main__":
    main()
