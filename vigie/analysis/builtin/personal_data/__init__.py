"""Personal data in mentions; ``find_personal_data`` is reused by the reply quality gate."""

from vigie.analysis.builtin.personal_data.detect import Span, find_company_numbers, find_personal_data

__all__ = ["Span", "find_company_numbers", "find_personal_data"]
