"""What the reply quality gate reports: one ``Finding`` per problem, blocking or not."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["block", "warn"]
BLOCK: Severity = "block"
WARN: Severity = "warn"


@dataclass(frozen=True)
class Finding:
    """One problem in a draft reply.

    ``message`` is already translated into the active language; ``start``/``end`` delimit the
    offending characters of the draft (``text[start:end]``) when the problem has a place;
    ``suggestion`` is what the agent could write instead, when there is one; ``approval_topic``
    says, for a commitment the charter reserves to a supervisor (refund, gesture, money, fault,
    liability, deadline), that the reply needs approval and why.
    """

    code: str
    severity: Severity
    message: str
    start: int | None = None
    end: int | None = None
    suggestion: str | None = None
    approval_topic: str | None = None

    @property
    def needs_approval(self) -> bool:
        """True when the charter wants a supervisor to approve a reply that says this."""
        return self.approval_topic is not None

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape shared by the API, the command and the composer (absent keys omitted)."""
        data: dict[str, Any] = {"code": self.code, "severity": self.severity, "message": self.message}
        if self.start is not None:
            data["start"] = self.start
        if self.end is not None:
            data["end"] = self.end
        if self.suggestion is not None:
            data["suggestion"] = self.suggestion
        if self.approval_topic is not None:
            data["needs_approval"] = True
            data["approval_topic"] = self.approval_topic
        return data


def is_blocked(findings: Iterable[Finding]) -> bool:
    """True when one finding forbids sending the reply (warnings can be overridden, blocks cannot)."""
    return any(finding.severity == BLOCK for finding in findings)


def approval_findings(findings: Iterable[Finding]) -> list[Finding]:
    """The findings that make the reply wait for a supervisor's approval (charter's commitments)."""
    return [finding for finding in findings if finding.needs_approval]
