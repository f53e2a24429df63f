"""Full-text search over mentions for the inbox.

SQLite: an FTS5 table with external content, kept in sync by triggers on the mention table, so
ingestion and edits need no extra code. PostgreSQL: a GIN index on the French ``tsvector`` of the
same text, used by the search query's identical expression.
"""

from typing import Any

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE inbox_mention_fts USING fts5(
        title, text, content='mentions_mention', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER inbox_mention_fts_ai AFTER INSERT ON mentions_mention BEGIN
        INSERT INTO inbox_mention_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    """CREATE TRIGGER inbox_mention_fts_ad AFTER DELETE ON mentions_mention BEGIN
        INSERT INTO inbox_mention_fts(inbox_mention_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END""",
    """CREATE TRIGGER inbox_mention_fts_au AFTER UPDATE OF title, text ON mentions_mention BEGIN
        INSERT INTO inbox_mention_fts(inbox_mention_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO inbox_mention_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    "INSERT INTO inbox_mention_fts(inbox_mention_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS inbox_mention_fts_au",
    "DROP TRIGGER IF EXISTS inbox_mention_fts_ad",
    "DROP TRIGGER IF EXISTS inbox_mention_fts_ai",
    "DROP TABLE IF EXISTS inbox_mention_fts",
]
POSTGRES_FORWARD = [
    """CREATE INDEX IF NOT EXISTS inbox_mention_fts_fr ON mentions_mention
    USING GIN (to_tsvector('french', coalesce(title, '') || ' ' || coalesce(text, '')))""",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS inbox_mention_fts_fr"]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0004_notes_saved_views"),
        ("mentions", "0002_mentionrevision"),
    ]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        ),
    ]
