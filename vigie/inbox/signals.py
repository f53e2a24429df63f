"""What the inbox does when core suspends a member: their open cases go back to their team's queue."""

from __future__ import annotations

from typing import Any

from vigie.inbox.actions import do_unassign_member_cases


def on_member_suspended(sender: Any, membership: Any, actor: Any = None, **kwargs: Any) -> None:
    do_unassign_member_cases(membership, actor=actor)
