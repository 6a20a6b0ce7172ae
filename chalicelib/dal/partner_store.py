"""The partner registry (table `partners`): one item per partner with its signing secrets.
Changes go through the item's version, so two administrators rotating at once cannot lose a
secret."""
from __future__ import annotations

from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.dal.db import unavailable_guard
from chalicelib.dal.models import PartnerItem
from chalicelib.errors import Conflict


@unavailable_guard
def get(partner_id: str) -> PartnerItem | None:
    try:
        return PartnerItem.get(partner_id, consistent_read=True)
    except DoesNotExist:
        return None


@unavailable_guard
def save(item: PartnerItem) -> None:
    """Create or replace under the version read (optimistic locking)."""
    try:
        item.save()
    except PutError as exc:
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            raise Conflict("The partner changed meanwhile; read it again",
                           "اطلاعات همکار در این فاصله تغییر کرده است؛ دوباره بخوانید") from exc
        raise
