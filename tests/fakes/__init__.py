"""In-memory fakes of the stores (`chalicelib/services/ports/`): the same conditions as the
DynamoDB stores (capacity, uniqueness, expiry), checked by `tests/integration/contract/`."""
