"""The outbox decides from the platform's declared facts, a third-party connector's included."""

from __future__ import annotations

from typing import Any

from vigie.connectors.contract import Connector
from vigie.connectors.tests.test_platforms import plugin  # noqa: F401  (fixture)
from vigie.inbox.outbox.private import direct_messages_available
from vigie.inbox.outbox.publishing import can_delete, can_edit, can_publish, retry_safe


def test_a_third_party_connectors_declarations_drive_publishing_and_the_private_channel(
    plugin: type[Connector[Any]],  # noqa: F811
) -> None:
    assert can_publish("acme-forum")
    assert retry_safe("acme-forum")
    assert can_delete("acme-forum")
    assert not can_edit("acme-forum")  # it did not declare EDIT_REPLY
    assert direct_messages_available("acme-forum")


def test_a_platform_without_a_connector_is_answered_by_hand() -> None:
    assert not can_publish("tiktok")
    assert not retry_safe("tiktok")
    assert not direct_messages_available("tiktok")
