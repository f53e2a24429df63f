"""The feed connector against a local HTTP server serving real feed shapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from vigie.conftest import Tenant
from vigie.connectors.actions import do_create_source
from vigie.connectors.builtin.feed.connector import (
    FeedConfig,
    FeedConnector,
    mend_character_refs,
    unwrap_google_news,
    unwrap_google_redirect,
)
from vigie.connectors.contract import ConnectorError, RateLimited
from vigie.connectors.tests.servers import LocalServer, local_server
from vigie.mentions.ingest import do_fetch_source
from vigie.mentions.models import Mention

FIXTURES = Path(__file__).parent / "fixtures"
ATOM = {"Content-Type": "application/atom+xml; charset=utf-8"}
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}


@pytest.fixture
def server() -> LocalServer:
    with local_server() as running:
        yield running  # type: ignore[misc]


def connector(server: LocalServer, preset: str = "generic", path: str = "/feed") -> FeedConnector:
    return FeedConnector(FeedConfig(url=server.url(path), preset=preset))  # type: ignore[arg-type]


def test_google_alerts_entries_point_to_the_real_article(server: LocalServer) -> None:
    server.add("GET", "/feed", 200, (FIXTURES / "google_alerts.xml").read_bytes(), ATOM)
    page = connector(server, "google_alerts").fetch({})
    first, second = page.items
    assert first.url == "https://news.example.com/2024/05/13/acme-air-tarmac/"
    assert second.url == "https://www.journal.example.fr/eco/acme-air-retards.html?utm_source=rss&id=42"
    assert first.external_id == "tag:google.com,2013:googlealerts/feed:12501224780620368192"
    assert first.title == "Acme Air passengers stuck on tarmac for three hours"
    assert first.kind == "article"
    assert first.author is None
    assert first.created_at.isoformat() == "2024-05-13T14:26:15+00:00"
    assert "<b>Acme Air</b>" in first.html


def test_html_is_sanitised_and_text_is_plain(server: LocalServer) -> None:
    server.add("GET", "/feed", 200, (FIXTURES / "google_alerts.xml").read_bytes(), ATOM)
    second = connector(server, "google_alerts").fetch({}).items[1]
    assert "<script" not in second.html
    assert "alert(1)" not in second.html
    assert second.text.startswith("La compagnie Acme Air")
    assert "<" not in second.text


def test_talkwalker_rss2_items_take_their_publication_as_author(server: LocalServer) -> None:
    server.add("GET", "/feed", 200, (FIXTURES / "talkwalker.xml").read_bytes(), RSS)
    (entry,) = connector(server, "talkwalker").fetch({}).items
    assert entry.external_id == "tw-5f3e2a91c7"
    assert entry.url == "https://www.presse.example.fr/sante/mutuelle-horizon-cotisations"
    assert entry.created_at.isoformat() == "2024-05-14T05:45:00+00:00"
    assert entry.author is not None
    assert entry.author.display_name == "La Presse Exemple"
    assert entry.text == "Les adhérents de Mutuelle Horizon verront leurs cotisations augmenter."


def test_rss_1_0_and_rss_0_91_are_read(server: LocalServer) -> None:
    server.add(
        "GET", "/rdf", 200, (FIXTURES / "rss10.rdf").read_bytes(), {"Content-Type": "application/rdf+xml"}
    )
    server.add("GET", "/old", 200, (FIXTURES / "rss091.xml").read_bytes(), RSS)
    (rdf,) = connector(server, path="/rdf").fetch({}).items
    assert rdf.author is not None
    assert rdf.author.display_name == "voyageur42"
    assert rdf.created_at.isoformat() == "2024-05-12T16:00:00+00:00"
    assert rdf.language == "fr"
    (old,) = connector(server, path="/old").fetch({}).items
    assert old.external_id == "https://blog.example.net/2024/05/acme"
    assert old.text == "Vol correct, personnel aimable."


def test_conditional_get_sends_the_validators_and_a_304_is_an_empty_page(server: LocalServer) -> None:
    body = (FIXTURES / "talkwalker.xml").read_bytes()
    server.add(
        "GET", "/feed", 200, body, {**RSS, "ETag": '"v1"', "Last-Modified": "Tue, 14 May 2024 06:00:00 GMT"}
    )
    server.add("GET", "/feed", 304)
    feed = connector(server)
    first = feed.fetch({})
    assert first.next_cursor == {"etag": '"v1"', "last_modified": "Tue, 14 May 2024 06:00:00 GMT"}
    second = feed.fetch(first.next_cursor)
    assert second.items == []
    assert second.next_cursor == first.next_cursor
    assert server.requests[1].headers["if-none-match"] == '"v1"'
    assert server.requests[1].headers["if-modified-since"] == "Tue, 14 May 2024 06:00:00 GMT"


def test_a_broken_feed_is_a_connector_error_not_a_crash(server: LocalServer) -> None:
    server.add("GET", "/feed", 200, (FIXTURES / "broken.html").read_bytes(), {"Content-Type": "text/html"})
    with pytest.raises(ConnectorError, match="broken feed"):
        connector(server).fetch({})


def test_429_with_retry_after_is_rate_limited(server: LocalServer) -> None:
    server.add("GET", "/feed", 429, b"slow down", {"Retry-After": "120"})
    with pytest.raises(RateLimited) as excinfo:
        connector(server).fetch({})
    assert excinfo.value.retry_after == 120


def test_server_errors_are_retryable_and_404_is_permanent(server: LocalServer) -> None:
    server.add("GET", "/down", 502, b"bad gateway")
    with pytest.raises(ConnectorError) as down:
        connector(server, path="/down").fetch({})
    assert not down.value.permanent
    assert "HTTP 502" in down.value.message
    with pytest.raises(ConnectorError) as gone:
        connector(server, path="/missing").fetch({})
    assert gone.value.permanent


def test_test_connection_describes_the_feed(server: LocalServer) -> None:
    server.add("GET", "/feed", 200, (FIXTURES / "google_alerts.xml").read_bytes(), ATOM)
    assert connector(server).test_connection() == '« Google Alert - "Acme Air" » : 2 entrée(s)'


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("https://example.com/a?b=c", "https://example.com/a?b=c"),
        ("https://www.google.com/url?q=https://x.example/y&sa=U", "https://x.example/y"),
        ("https://www.google.com/url?rct=j&url=https%3A%2F%2Fx.example%2Fz&ct=ga", "https://x.example/z"),
    ],
)
def test_google_redirects_are_unwrapped(link: str, expected: str) -> None:
    assert unwrap_google_redirect(link) == expected


def test_the_config_requires_an_http_url() -> None:
    with pytest.raises(ValueError, match="url"):
        FeedConfig(url="file:///etc/passwd")


def test_google_news_items_point_to_the_article_and_name_their_publisher(server: LocalServer) -> None:
    server.add("GET", "/feed", 200, (FIXTURES / "google_news.xml").read_bytes(), RSS)
    # The generic preset: nobody has to know that a Google News feed needs special care.
    lemonde, ouest = connector(server).fetch({}).items  # the empty items are not mentions
    assert lemonde.url == (
        "https://www.lemonde.fr/economie/article/2024/05/14/mutuelle-horizon-les-remboursements-en-retard_6233.html"
    )
    assert lemonde.title == "Mutuelle Horizon : les remboursements en retard"
    assert lemonde.author is not None
    assert (lemonde.author.display_name, lemonde.author.profile_url) == ("Le Monde", "https://www.lemonde.fr")
    assert lemonde.created_at.isoformat() == "2024-05-14T06:30:00+00:00"
    assert lemonde.language == "fr"
    # A newer article id holds no address: the Google link stays, it still opens the article.
    assert ouest.url.startswith("https://news.google.com/rss/articles/CBMi")
    assert ouest.author is not None
    assert ouest.author.display_name == "Ouest-France"
    assert ouest.raw["source"] == {"title": "Ouest-France", "href": "https://www.ouest-france.fr"}


def test_an_undated_item_takes_the_feed_date_not_the_time_of_the_poll(server: LocalServer) -> None:
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Forum</title>'
        "<lastBuildDate>Mon, 13 May 2024 10:00:00 GMT</lastBuildDate>"
        "<item><title>Sujet sans date</title><link>https://forum.example.fr/t/1</link></item>"
        "</channel></rss>"
    )
    server.add("GET", "/feed", 200, feed.encode(), RSS)
    (item,) = connector(server).fetch({}).items
    assert item.created_at.isoformat() == "2024-05-13T10:00:00+00:00"


@pytest.mark.parametrize(
    "link",
    [
        "https://news.google.com/rss/articles/%%%?oc=5",
        "https://news.google.com/rss/articles/CBMiAA?oc=5",  # field 4 empty
        "https://news.google.com/rss/articles/Zm9vYmFy",  # no field 4
        "https://news.google.com/search?q=acme",
        "https://example.com/rss/articles/CBMi",
    ],
)
def test_google_news_links_that_hold_no_address_stay_as_they_are(link: str) -> None:
    assert unwrap_google_news(link) == link


def test_relative_links_open_the_article_and_odd_dates_do_not_pin_items(server: LocalServer) -> None:
    """A small site's RSS: Latin-1 served as plain ``text/xml``, relative links, HTML in titles, a
    placeholder date (year 1), an event's date years ahead and a ``javascript:`` link."""
    server.add(
        "GET",
        "/gazette/rss.xml",
        200,
        (FIXTURES / "relative_latin1.xml").read_bytes(),
        {"Content-Type": "text/xml"},
    )
    page = connector(server, path="/gazette/rss.xml").fetch({})
    relative, archive, agenda, trap = page.items
    site = server.url("")
    # Resolved against the feed's own address, as a browser would (never a page of Vigie's site).
    assert relative.url == f"{site}/2026/12/05/mutuelle-horizon.html"
    assert f'href="{site}/forum/42"' in relative.html
    # The id stays the link as written: items stored before this change keep their id.
    assert relative.external_id == "/2026/12/05/mutuelle-horizon.html"
    assert relative.title == "Mutuelle Horizon : la crème des conseillers ?"
    assert relative.created_at.isoformat() == "2026-12-05T09:00:00+00:00"
    # Neither year 1 nor 2031 is when these were published: they take the feed's own date.
    assert archive.created_at.isoformat() == "2026-12-05T11:00:00+00:00"
    assert agenda.created_at == archive.created_at
    assert trap.url == ""
    assert trap.external_id == "piege-1"


UTF16_HALVES = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Avis</title>'
    b"<item><title>Super &#55357;&#56832; service</title><link>https://ex.example/a/1</link>"
    b"<description>&lt;p&gt;Bravo &#xD83D;&#xDE00; et &amp;#55357;&amp;#56832; seul : &#55357;&lt;/p&gt;"
    b"</description><pubDate>Sat, 05 Dec 2026 10:00:00 +0100</pubDate></item></channel></rss>"
)


def test_an_emoji_written_as_two_utf16_halves_is_read_not_a_broken_feed(server: LocalServer) -> None:
    """Some publishing tools write 😀 as ``&#55357;&#56832;`` (its UTF-16 halves): feedparser failed
    on the whole feed ('surrogates not allowed') and the source read nothing any more."""
    server.add("GET", "/feed", 200, UTF16_HALVES, RSS)
    (item,) = connector(server).fetch({}).items
    assert item.title == "Super 😀 service"
    assert item.text == "Bravo 😀 et 😀 seul : \ufffd"
    assert "😀" in item.html


def test_mending_character_refs_leaves_everything_else_as_it_is() -> None:
    assert (
        mend_character_refs(b"caf&#233; &#x1F600; &amp;#65; &#55357;x")
        == b"caf&#233; &#x1F600; &amp;#65; &#65533;x"
    )
    assert mend_character_refs(b"&#56832;&#55357;") == b"&#65533;&#65533;"
    assert mend_character_refs(b"&#1114112;") == b"&#65533;"
    assert mend_character_refs(b"no refs") == b"no refs"


def _rss(*items: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Forum Conso</title>'
        "<link>https://forum.example.fr/</link><lastBuildDate>{now}</lastBuildDate>"
        + "".join(items)
        + "</channel></rss>"
    )


def _item(title: str, text: str, date: str = "") -> str:
    # No <guid>, no <link>: what some forum and CMS feeds write.
    when = f"<pubDate>{date}</pubDate>" if date else ""
    return f"<item><title>{title}</title><description><![CDATA[{text}]]></description>{when}</item>"


def test_items_without_id_or_link_keep_one_identity_across_polls(tenant: Tenant) -> None:
    complaint = _item(
        "Remboursement refusé", "<p>Trois mois sans réponse.</p>", "Mon, 07 Dec 2026 09:12:00 +0100"
    )
    same_second = _item(
        "Remboursement refusé", "<p>Moi aussi, même souci.</p>", "Mon, 07 Dec 2026 09:12:00 +0100"
    )
    undated = _item("Question", "<p>Quel délai pour une carte ?</p>")
    with local_server() as server:
        # The feed's own date changes at every build: it must not be part of any identity.
        server.add(
            "GET",
            "/feed",
            200,
            _rss(complaint, same_second, undated).format(now="Mon, 07 Dec 2026 10:00:00 GMT"),
            RSS,
        )
        source = do_create_source(
            tenant.organisation, platform="feed", name="Forum", config={"url": server.url("/feed")}
        )
        assert do_fetch_source(source).counts.new == 3
        stored = Mention.objects.filter(source=source)
        assert stored.count() == 3  # two messages with one title and one second stay two

        server.routes.clear()
        server.add(
            "GET",
            "/feed",
            200,
            _rss(complaint, same_second, undated).format(now="Mon, 07 Dec 2026 11:00:00 GMT"),
            RSS,
        )
        do_fetch_source(source)
        assert stored.count() == 3  # read again: nothing doubled

        # The author corrects the text: the same mention, updated, the old text kept as a revision.
        corrected = _item(
            "Remboursement refusé",
            "<p>Trois mois sans réponse, et toujours rien.</p>",
            "Mon, 07 Dec 2026 09:12:00 +0100",
        )
        server.routes.clear()
        server.add(
            "GET", "/feed", 200, _rss(corrected, undated).format(now="Mon, 07 Dec 2026 12:00:00 GMT"), RSS
        )
        do_fetch_source(source)
        assert stored.count() == 3
        edited = stored.get(text="Trois mois sans réponse, et toujours rien.")
        assert edited.external_id.startswith("sha256:")
        assert [r.text for r in edited.revisions.all()] == ["Trois mois sans réponse."]
        assert edited.created_at.isoformat() == "2026-12-07T08:12:00+00:00"


def test_dates_written_without_offset_are_the_sources_local_time(tenant: Tenant) -> None:
    """A CMS writing "2026-03-29T10:15:00" (no zone) means its own clock: feedparser would read it
    as UTC, two hours late in Paris on the day clocks went forward."""
    feed = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<channel><title>Blog</title>"
        "<item><guid>a</guid><title>Avis</title><dc:date>2026-03-29T10:15:00</dc:date></item>"
        "<item><guid>b</guid><title>Avis</title><pubDate>Sat, 28 Mar 2026 10:15:00</pubDate></item>"
        "<item><guid>c</guid><title>Avis</title><pubDate>Sat, 28 Mar 2026 10:15:00 GMT</pubDate></item>"
        "</channel></rss>"
    )
    with local_server() as server:
        server.add("GET", "/feed", 200, feed, RSS)
        source = do_create_source(
            tenant.organisation, platform="feed", name="Blog", config={"url": server.url("/feed")}
        )
        do_fetch_source(source)
    read = {m.external_id: m.created_at.isoformat() for m in Mention.objects.filter(source=source)}
    assert read == {
        "a": "2026-03-29T08:15:00+00:00",
        "b": "2026-03-28T09:15:00+00:00",
        "c": "2026-03-28T10:15:00+00:00",
    }
