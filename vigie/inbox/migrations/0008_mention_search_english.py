"""English full-text search over mentions, for organisations whose language is English.

The French search (migration 0005) is unchanged. Beside it:

SQLite: a second FTS5 table over the same external content, with FTS5's built-in ``porter``
(English) stemmer in front of the same ``unicode61`` tokenizer, kept in sync by its own triggers:
"refunds", "refund" and "refunded" are one word there, in the text and in what is typed.
PostgreSQL: a GIN index on the ``english`` ``tsvector`` of the same text, used by the search
query's identical expression.

Every mention is indexed in both, whatever its organisation's language: an organisation that
changes language searches all its history at once, with no rebuild.
"""

from typing import Any

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE inbox_mention_fts_en USING fts5(
        title, text, content='mentions_mention', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER inbox_mention_fts_en_ai AFTER INSERT ON mentions_mention BEGIN
        INSERT INTO inbox_mention_fts_en(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    """CREATE TRIGGER inbox_mention_fts_en_ad AFTER DELETE ON mentions_mention BEGIN
        INSERT INTO inbox_mention_fts_en(inbox_mention_fts_en, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END""",
    """CREATE TRIGGER inbox_mention_fts_en_au AFTER UPDATE OF title, text ON mentions_mention BEGIN
        INSERT INTO inbox_mention_fts_en(inbox_mention_fts_en, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO inbox_mention_fts_en(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    "INSERT INTO inbox_mention_fts_en(inbox_mention_fts_en) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS inbox_mention_fts_en_au",
    "DROP TRIGGER IF EXISTS inbox_mention_fts_en_ad",
    "DROP TRIGGER IF EXISTS inbox_mention_fts_en_ai",
    "DROP TABLE IF EXISTS inbox_mention_fts_en",
]
POSTGRES_FORWARD = [
    """CREATE INDEX IF NOT EXISTS inbox_mention_fts_en ON mentions_mention
    USING GIN (to_tsvector('english', coalesce(title, '') || ' ' || coalesce(text, '')))""",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS inbox_mention_fts_en"]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0007_case_no_answer_reason"),
        ("mentions", "0003_mention_kind_private_message"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
