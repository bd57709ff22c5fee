"""Data-protection requests for one email address: export everything held about it, or
erase it everywhere (GDPR art. 15 and 17).

Each area holding personal data answers for itself (a holder, `holders.py`, over the area's
store as `ports.py` describes it); the service (`service.py`) asks all of them and leaves an
audit record (`models.Report`) that names the request, the operator and the counts, never the
person. Erasure keeps anonymous totals (a session's seat count, an issue's sent count) and is
safe to run twice: the second run finds nothing and says so.

An erasure races the person's own presses (a registration link, a newsletter confirmation, a
form sent): each area erases in an order that a press cannot slip through (what a press
consumes first, what it writes after), and looks again until a look finds nothing, so what
was written while it ran is erased too. Only a write after its last look stays: one made
after the erasure, as far as anyone can tell."""
