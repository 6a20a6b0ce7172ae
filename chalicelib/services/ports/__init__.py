"""The stores the use cases depend on, as `typing.Protocol`s: one module per capability. The
DynamoDB implementations live in `chalicelib/dal/`, the in-memory fakes in `tests/fakes/`; one
contract suite (`tests/integration/contract/`) runs the same checks on both."""
