"""The reply quality gate: what an agent's draft must pass before it goes out.

``check_reply(text, platform=, language=, ...)`` returns ``Finding`` values; ``is_blocked`` says
whether one of them forbids sending;
``approval_findings`` those that make the reply wait for a supervisor (the charter decides which). See docs/templates-and-quality-gate.md.
"""

from vigie.inbox.quality.findings import BLOCK, WARN, Finding, approval_findings, is_blocked
from vigie.inbox.quality.gate import check_reply
from vigie.inbox.quality.limits import LengthLimit

__all__ = ["BLOCK", "WARN", "Finding", "LengthLimit", "approval_findings", "check_reply", "is_blocked"]
