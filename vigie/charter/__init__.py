"""The charter of engagement: one versioned document per organisation that drives routing defaults,
SLAs, the reply quality gate, approvals, KPI targets and the crisis playbook."""
