"""The file connector: formats, presets, bad rows reported with their line number."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from vigie.connectors.builtin.file.connector import FileConfig, FileConnector
from vigie.connectors.builtin.file.reader import FileFormatError, FileReader

FIXTURES = Path(__file__).parent / "fixtures"


def rows(name: str | Path, **config: object) -> list:  # type: ignore[type-arg]
    path = name if isinstance(name, Path) else FIXTURES / name
    return list(FileConnector(FileConfig.model_validate(config)).read(path, local_zone="Europe/Paris"))


def test_a_trustpilot_export_imports_with_its_preset() -> None:
    first, second, bad = rows("trustpilot_export.csv", preset="trustpilot")
    assert first.mention.external_id == "65f1c2a9e4b0a1d2c3f4e5a6"
    assert first.mention.title == "Livraison rapide"
    assert first.mention.rating == Decimal(5)
    assert first.mention.author.display_name == "Marie L."
    assert first.mention.language == "fr"
    # The export's columns are documented in UTC, whatever the source's timezone.
    assert first.mention.created_at.isoformat() == "2024-03-13T10:21:45+00:00"
    assert second.mention.text == "Le SAV ne répond pas.\nJ'attends depuis trois semaines."
    assert (bad.mention, bad.line) == (None, 5)  # the multi-line row before it counts two lines
    assert bad.error == "created_at: unreadable date 'pas une date'"


def test_a_google_takeout_json_maps_star_words_and_reviewers() -> None:
    first, second = rows("google_takeout_reviews.json", format="json", preset="google_takeout")
    assert first.mention.external_id == "AbFvOqnQ1"
    assert first.mention.rating == Decimal(4)
    assert first.mention.rating_raw == "FOUR"
    assert first.mention.author.display_name == "Julie Martin"
    assert first.mention.created_at.isoformat() == "2024-04-02T09:15:21.123456+00:00"
    assert second.mention.rating == Decimal(1)
    assert second.mention.text == ""


def test_a_skeepers_export_in_cp1252_with_semicolons_is_read() -> None:
    first, second, bad = rows("skeepers_export.csv", preset="skeepers")
    assert first.mention.external_id == "AV-1001"
    assert first.mention.author.display_name == "Camille"
    assert first.mention.created_at.isoformat() == "2026-11-22T14:05:00+01:00"
    assert second.mention.text == "Colis abîmé"
    assert bad.line == 4
    assert bad.error.startswith("rating: unreadable value")


def test_jsonl_reports_bad_lines_and_keeps_the_good_ones() -> None:
    good, html, broken, undated = rows("generic.jsonl", format="jsonl")
    assert good.mention.author.display_name == "Léa"
    assert html.mention.text == "Très bien"
    assert "<b>bien</b>" in html.mention.html
    assert html.mention.rating == Decimal("4.50")
    assert html.mention.created_at.year == 2026
    assert (broken.line, broken.error[:12]) == (3, "invalid JSON")
    assert (undated.line, undated.error) == (4, "created_at: missing date")


def test_employer_reviews_from_a_spreadsheet_join_pros_and_cons(tmp_path: Path) -> None:
    from datetime import datetime

    from openpyxl import Workbook  # type: ignore[import-untyped]

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Date", "Titre", "Note globale", "Poste", "Avantages", "Inconvénients"])
    sheet.append(
        [datetime(2026, 10, 3), "Bonne ambiance", 4, "Conseiller clientèle", "Équipe soudée", "Salaires"]
    )
    sheet.append([None, None, None, None, None, None])
    sheet.append(["hier", "Bof", 2, "Technicien", "", "Management"])
    path = tmp_path / "glassdoor.xlsx"
    workbook.save(path)
    first, bad = rows(path, preset="employer")
    mention = first.mention
    assert mention.title == "Bonne ambiance"
    assert mention.rating == Decimal(4)
    assert mention.text == "Avantages : Équipe soudée\nInconvénients : Salaires"
    assert mention.author.display_name == "Conseiller clientèle"
    assert mention.external_id.startswith("row:")
    assert rows(path, preset="employer")[0].mention.external_id == mention.external_id  # stable
    assert bad.line == 4
    assert bad.error.startswith("created_at")


def test_an_explicit_mapping_and_a_rating_scale(tmp_path: Path) -> None:
    path = tmp_path / "nps.csv"
    path.write_text(
        "ref,quand,verbatim,score\nA1,2026-01-05T08:00:00Z,Super,10\nA2,2026-01-05T08:00:00Z,Nul,0\n"
    )
    good, low = rows(
        path,
        mapping={"ref": "external_id", "quand": "created_at", "verbatim": "text", "score": "rating"},
        rating_scale_max=10,
        kind="survey_answer",
    )
    assert (good.mention.rating, good.mention.kind) == (Decimal(5), "survey_answer")
    assert low.mention.rating == Decimal(1)  # 0 is clamped to the bottom of a 1–10 scale


def test_the_config_refuses_a_mapping_to_an_unknown_field() -> None:
    with pytest.raises(ValueError, match="unknown field 'body'"):
        FileConfig(mapping={"x": "body"})


def test_a_json_file_without_a_list_of_records_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"hello": "world"}')
    with pytest.raises(FileFormatError):
        list(FileReader(path, "json"))


def test_a_large_json_array_is_read_in_chunks(tmp_path: Path) -> None:
    import json

    from vigie.connectors.builtin.file import reader

    path = tmp_path / "big.json"
    records = [{"id": str(n), "date": "2026-01-01", "text": "é" * 50 + "\n"} for n in range(3000)]
    path.write_text(json.dumps(records, indent=1, ensure_ascii=False))
    old = reader.CHUNK
    reader.CHUNK = 4096  # many chunk boundaries in a small file
    try:
        read = list(FileReader(path, "json"))
    finally:
        reader.CHUNK = old
    assert [r[1]["id"] for r in read] == [str(n) for n in range(3000)]
    assert read[1][0] == 7  # line numbers follow the file


def test_an_x_api_answer_without_dates_takes_each_time_from_its_id() -> None:
    undated, metrics = rows("x_api_search.json", format="json", preset="x")
    # The API sends only id and text unless fields are asked for: the snowflake id carries the time.
    assert undated.error == ""
    assert undated.mention.created_at.isoformat() == "2024-11-11T16:53:11.712000+00:00"
    assert undated.mention.text.startswith("@MutuelleHorizon 3 semaines")
    assert (metrics.mention.likes, metrics.mention.shares, metrics.mention.replies_count) == (14, 2, 1)


def test_the_x_archive_tweets_js_is_read() -> None:
    (tweet,) = rows("tweets.js", format="json", preset="x")
    assert tweet.mention.external_id == "1855991234567890123"
    assert tweet.mention.created_at.isoformat() == "2024-11-11T09:41:22+00:00"
    assert tweet.mention.parent_external_id == "1855980000000000000"
    assert tweet.mention.likes == 3  # the archive writes counts as strings
    assert tweet.mention.language == "fr"


def test_a_reddit_listing_is_read_from_data_children() -> None:
    post, deleted_author = rows("reddit_listing.json", format="json", preset="reddit")
    assert post.mention.external_id == "t3_1gq3a1b"
    assert post.mention.title == "Mutuelle Horizon : carte tiers payant refusée"
    assert post.mention.text.startswith("Quelqu'un a eu des soucis")
    assert post.mention.url == (
        "https://www.reddit.com/r/france/comments/1gq3a1b/mutuelle_horizon_carte_tiers_payant_refusee/"
    )
    assert post.mention.created_at.isoformat() == "2024-11-12T08:26:40+00:00"
    assert (post.mention.likes, post.mention.replies_count) == (41, 17)
    assert post.mention.author.external_id == "t2_8f3kd"
    assert deleted_author.mention.title == "Avis sur Mutuelle Horizon vs autres mutuelles ?"


def test_youtube_comment_threads_keep_likes_and_reply_counts() -> None:
    (comment,) = rows("youtube_comment_threads.json", format="json", preset="youtube")
    assert comment.mention.external_id == "UgxKREWxIgDrw8w2e_Z4AaABAg"
    assert comment.mention.text == "La pub dit remboursement en 48 h, j'attends depuis un mois\nvraiment ?"
    assert comment.mention.author.external_id == "UClfzT4CU_yaZjJaI4pKqSjQ"
    assert comment.mention.author.display_name == "@hieunguyen"
    assert (comment.mention.likes, comment.mention.replies_count) == (5, 2)


def test_linkedin_and_glassdoor_exports() -> None:
    (comment,) = rows("linkedin_comments.csv", preset="linkedin", kind="comment")
    assert comment.mention.kind == "comment"
    assert comment.mention.url.startswith(
        "https://www.linkedin.com/feed/update/urn:li:activity:7260689511122345984"
    )
    assert comment.mention.text.startswith("Toujours aucune réponse")

    good, bad = rows("glassdoor_reviews.csv", preset="glassdoor")
    assert good.mention.rating == Decimal(3)
    assert good.mention.likes == 7
    assert "Avantages : Équipe soudée" in good.mention.text
    assert bad.mention is None
    assert bad.error == "likes: not a number 'beaucoup'"


def test_a_google_takeout_review_brings_the_owner_reply_already_published() -> None:
    answered, unanswered = rows("google_takeout_reviews.json", format="json", preset="google_takeout")
    assert answered.mention.owner_reply_text == "Merci Julie !"
    assert unanswered.mention.owner_reply_text == ""


def test_anonymous_reviewers_of_an_export_are_not_merged_into_one_author(tmp_path: Path) -> None:
    path = tmp_path / "takeout.json"
    path.write_text(
        '{"reviews": ['
        '{"reviewId": "r1", "reviewer": {"displayName": "Un utilisateur de Google", "isAnonymous": true},'
        ' "starRating": "ONE", "createTime": "2024-04-01T17:40:00Z"},'
        '{"reviewId": "r2", "reviewer": {"displayName": "Un utilisateur de Google", "isAnonymous": true},'
        ' "starRating": "FIVE", "comment": "Parfait 👌", "createTime": "2024-04-02T08:00:00Z"}]}',
        encoding="utf-8",
    )
    first, second = rows(path, format="json", preset="google_takeout")
    assert (
        first.mention.author.display_name == second.mention.author.display_name == "Un utilisateur de Google"
    )
    # Two people who share a name (or no name at all) are two authors.
    assert first.mention.author.external_id != second.mention.author.external_id
    # Re-importing the file keys them the same way: nothing is duplicated.
    again = rows(path, format="json", preset="google_takeout")
    assert [r.mention.author.external_id for r in again] == [
        first.mention.author.external_id,
        second.mention.author.external_id,
    ]


def test_an_author_with_an_id_stays_one_author_across_rows(tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv"
    path.write_text(
        "id,date,text,author,author_id\n1,2024-01-02,Bien,Marie D.,u-1\n2,2024-01-03,Encore,Marie D.,u-1\n",
        encoding="utf-8",
    )
    first, second = rows(path)
    assert first.mention.author.external_id == second.mention.author.external_id == "u-1"


def test_a_trustpilot_export_brings_the_company_response(tmp_path: Path) -> None:
    path = tmp_path / "trustpilot.csv"
    path.write_text(
        "Review ID,Review Created (UTC),Review Consumer User ID,Review Consumer User Name,Review Title,"
        "Review Content,Review Stars,Review Language,Company Response,Company Reply Date (UTC)\n"
        "65f1c2a9e4b0a1d2c3f4e5b1,2024-03-13 10:21:45,5d1f2e3a4b5c6d7e8f9a0b1c,Zoé L.,Colis perdu 📦,"
        'Jamais reçu.,1,fr,"Bonjour Zoé, nous renvoyons le colis aujourd\'hui.",2024-03-14 09:00:00\n',
        encoding="utf-8",
    )
    (row,) = rows(path, preset="trustpilot")
    assert row.mention.owner_reply_text == "Bonjour Zoé, nous renvoyons le colis aujourd'hui."
    assert row.mention.title == "Colis perdu 📦"


def test_a_long_x_post_saved_from_the_api_is_imported_whole(tmp_path: Path) -> None:
    whole = "@MutuelleHorizon " + "remboursement toujours en attente, " * 12 + "merci de répondre 🙏"
    path = tmp_path / "x.json"
    path.write_text(
        json.dumps(
            {
                "data": [
                    {
                        "id": "1855991234567890999",
                        "text": whole[:270] + "… https://t.co/xYz",
                        "note_tweet": {"text": whole},
                    },
                    {"id": "1855991234567890123", "text": "Court et clair"},
                ]
            }
        ),
        encoding="utf-8",
    )
    long_post, short_post = rows(path, format="json", preset="x")
    assert long_post.mention.text == whole
    assert short_post.mention.text == "Court et clair"
