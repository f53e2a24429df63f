"""The search triggers on the mention table, made again after ``mentions.0004``.

On SQLite, adding the owner's reply columns to ``mentions_mention`` rebuilt the table (Django's
"remake"), which drops every trigger on it: the triggers of migrations 0005 and 0008 that keep
the French and English full-text indexes in sync were gone, so no mention ingested afterwards
could be found by a search (the demo's search for "remboursement" found nothing). They are made
again (if missing) and both indexes rebuilt from the mentions. PostgreSQL's expression indexes
survive a new column: nothing to do there.
"""

from typing import Any

from django.db import migrations

# The statements of migrations 0005 (French) and 0008 (English), with IF NOT EXISTS.
SQLITE_FORWARD = [
    """CREATE TRIGGER IF NOT EXISTS inbox_mention_fts_ai AFTER INSERT ON mentions_mention BEGIN
        INSERT INTO inbox_mention_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS inbox_mention_fts_ad AFTER DELETE ON mentions_mention BEGIN
        INSERT INTO inbox_mention_fts(inbox_mention_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS inbox_mention_fts_au AFTER UPDATE OF title, text ON mentions_mention BEGIN
        INSERT INTO inbox_mention_fts(inbox_mention_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO inbox_mention_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    "INSERT INTO inbox_mention_fts(inbox_mention_fts) VALUES ('rebuild')",
    """CREATE TRIGGER IF NOT EXISTS inbox_mention_fts_en_ai AFTER INSERT ON mentions_mention BEGIN
        INSERT INTO inbox_mention_fts_en(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS inbox_mention_fts_en_ad AFTER DELETE ON mentions_mention BEGIN
        INSERT INTO inbox_mention_fts_en(inbox_mention_fts_en, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS inbox_mention_fts_en_au AFTER UPDATE OF title, text ON mentions_mention BEGIN
        INSERT INTO inbox_mention_fts_en(inbox_mention_fts_en, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO inbox_mention_fts_en(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    "INSERT INTO inbox_mention_fts_en(inbox_mention_fts_en) VALUES ('rebuild')",
]


def forward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in SQLITE_FORWARD:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0009_case_no_answer_reason_erased"),
        ("mentions", "0004_mention_owner_reply"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
