"""What several test modules share, in one place (a test module imports from here, never from
another test module).

In-memory adapters, each held to its DynamoDB adapter by a contract suite
(tests/integration/test_<capability>_store_contract.py), so the unit tests of the rules run
without the emulator:

- newsletter.py: MemoryNewsletterStore, MemoryMail (with faults), MemorySendQueue
- advisory.py: MemoryAdvisoryStore, MemorySealer, MemoryWorkQueue (FIFO, leases by the clock)
- privacy.py: MemoryAuditLog
- items.py: the item map they share; clock.py: a clock moved by hand
- advisory_machine.py: the advisory capability's state machine, run on both worlds

Forum registration's in-memory stores are tests/support/registration.py.

Helpers of the integration tests on the emulator: advisory_emulator.py (the table, queue and
key fixtures), newsletter_emulator.py, privacy_emulator.py."""
