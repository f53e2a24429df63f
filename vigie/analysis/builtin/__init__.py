"""Vigie's built-in analyzers: one dotted path to an ``Analyzer`` class per line.

A new built-in analyzer is one folder under ``builtin/`` and one line here. Third-party analyzers
register through the ``vigie.analyzers`` entry point group instead. The order does not matter:
the pipeline orders analyzers by what they require and provide.
"""

BUILTIN_ANALYZERS: list[str] = [
    "vigie.analysis.builtin.language.analyzer.LanguageAnalyzer",
    "vigie.analysis.builtin.personal_data.analyzer.PersonalDataAnalyzer",
    "vigie.analysis.builtin.priority.analyzer.PriorityAnalyzer",
    "vigie.analysis.builtin.sentiment.analyzer.SentimentAnalyzer",
    "vigie.analysis.builtin.toxicity.analyzer.ToxicityAnalyzer",
    "vigie.analysis.builtin.themes.analyzer.ThemesAnalyzer",
    "vigie.analysis.builtin.type.analyzer.TypeAnalyzer",
    "vigie.analysis.builtin.suspicious.analyzer.SuspiciousAnalyzer",
    # Off with VIGIE_ENCODER=0 (registry.SWITCHABLE_ANALYZERS).
    "vigie.analysis.builtin.encoder.analyzer.EncoderSentimentAnalyzer",
]
