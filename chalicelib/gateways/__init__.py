"""Outbound gateways: adapters to services outside our own database that the network sends
through (SMS providers today). The counterpart of `dal/` for the other side of the boundary: the
only modules besides `dal/` that open network connections or import boto3, each behind an
interface the services depend on (`gateways.sms.SmsSender`), with a local stand-in that only
logs. A separate package rather than `dal/` because nothing here is stored or read back, and
rather than `services/` because a use case must not know which provider carries its message."""
