"""What several test modules share: in-memory stores held to the DynamoDB adapters by the
contract suites (tests/integration/test_*_store_contract.py), fakes of the other ports, and
builders of test data."""
