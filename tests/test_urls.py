"""Tests for partnews.urls: canonical URLs and the crawler's URL filter.

URLs are the real ones recorded in /work/shared/sources.md (§1 and §3.6), or shaped like
them where sources.md gives only the shape.
"""

from __future__ import annotations

import re

import feedparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from realdata import require

from partnews.urls import (
    canonicalize_url,
    host_of,
    is_crawlable_url,
    resolve_canonical,
    same_site,
)

IIP_EN = "https://www.investinprovence.com/en/news/provence-promotion-s-greatest-annual-results"
TCA_SLASH = (
    "https://www.investincotedazur.com/en/diplomatic-visit-of-the-united-states-first-"
    "investor-in-the-cote-dazur/"
)
TCA_BARE = (
    "https://investincotedazur.com/en/team-cote-dazur-a-facilitator-of-american-attraction-"
    "in-the-alpes-maritimes-since-1960"
)
LATRIBUNE = (
    "https://region-sud.latribune.fr/economie/2021-01-13/"
    "pourquoi-rising-sud-elargit-sa-gouvernance-871955.html"
)


# --- canonicalize_url: scheme, host, port, fragment ---------------------------------------


def test_http_becomes_https_host_lower_case_default_port_dropped():
    url = "http://WWW.InvestInProvence.com:80/en/news/provence-promotion-s-greatest-annual-results"
    assert canonicalize_url(url) == IIP_EN


def test_https_default_port_dropped_other_ports_kept():
    assert (
        canonicalize_url("https://www.sandiegobusiness.org:443/blog/tag/life-sciences")
        == "https://www.sandiegobusiness.org/blog/tag/life-sciences"
    )
    assert canonicalize_url("https://www.example.org:8443/news") == (
        "https://www.example.org:8443/news"
    )


def test_fragment_is_dropped():
    assert (
        canonicalize_url("https://france-sandiego.org/2017/06/17/paca-region-sandiego/#respond")
        == "https://france-sandiego.org/2017/06/17/paca-region-sandiego/"
    )


# --- canonicalize_url: query ---------------------------------------------------------------


def test_feedburner_tracking_parameters_are_dropped():
    url = (
        "https://www.cnews.fr/france/2019-05-07/marseille-french-tech?"
        "utm_source=feedburner&utm_medium=feed&utm_campaign=Feed%3A+cnews%2Ffrance"
    )
    assert canonicalize_url(url) == "https://www.cnews.fr/france/2019-05-07/marseille-french-tech"


@pytest.mark.parametrize(
    "query",
    [
        "fbclid=IwAR0abc",
        "gclid=Cj0KCQ",
        "mc_cid=12ab&mc_eid=34cd",
        "_ga=2.1234.5678",
        "igshid=MzRlODBi",
        "amp",
        "amp=1",
        "UTM_Source=newsletter",
    ],
)
def test_other_tracking_parameters_are_dropped(query):
    url = "https://france-sandiego.org/2019/01/03/la-savonnerie-du-midi/"
    assert canonicalize_url(f"{url}?{query}") == url


def test_print_view_parameters_are_kept_and_sorted():
    # Joomla's print view is another page than the article: it is kept.
    url = "https://www.obs-vlfr.fr/index.php?option=com_content&id=42&tmpl=component&print=1"
    assert (
        canonicalize_url(url)
        == "https://www.obs-vlfr.fr/index.php?id=42&option=com_content&print=1&tmpl=component"
    )


def test_pager_kept_tracking_removed_from_the_same_query():
    url = "http://www.sandiegobusiness.org/category/category/wtc-san-diego?utm_medium=email&page=4"
    assert (
        canonicalize_url(url)
        == "https://www.sandiegobusiness.org/category/category/wtc-san-diego?page=4"
    )


# --- canonicalize_url: path --------------------------------------------------------------


@pytest.mark.parametrize(
    "invisible", ["%E2%80%8B", "%e2%80%8b", "\u200b", "%EF%BB%BF", "%E2%80%8C%E2%80%8D"]
)
def test_zero_width_characters_are_removed_from_the_path(invisible):
    slug = "Provence-Promotion-un-record-d-implantations_a5678.html"
    url = f"https://www.businews.fr/{invisible}{slug}"
    assert canonicalize_url(url) == f"https://www.businews.fr/{slug}"


def test_non_ascii_path_is_percent_encoded_as_utf8():
    # sources.md records this URL in its encoded form.
    url = "https://studylibfr.com/doc/4781366/télécharger---région-paca"
    assert (
        canonicalize_url(url)
        == "https://studylibfr.com/doc/4781366/t%C3%A9l%C3%A9charger---r%C3%A9gion-paca"
    )


def test_percent_encoding_is_normalised():
    # Unreserved characters are decoded ("%7E" -> "~", "%41" -> "A"); others upper case.
    url = "https://studylibfr.com/doc/4781366/t%c3%a9l%c3%a9charger---r%C3%A9gion-paca%7E%41"
    assert (
        canonicalize_url(url)
        == "https://studylibfr.com/doc/4781366/t%C3%A9l%C3%A9charger---r%C3%A9gion-paca~A"
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://www.example.fr/2019/05/07/les-start-up-s-8217installeront-a-marseille/",
        "https://www.example.fr/actualites/ann-233e-record",
    ],
)
def test_entity_remnants_in_slugs_are_the_real_path_and_kept(url):
    assert canonicalize_url(url) == url


def test_dot_segments_are_resolved():
    assert (
        canonicalize_url("https://www.marseille.fr/international/./actualites/../echanges")
        == "https://www.marseille.fr/international/echanges"
    )


# --- canonicalize_url: www and trailing slash ------------------------------------------


def test_prefer_www_false_removes_www():
    assert (
        canonicalize_url("https://www.france-sandiego.org/sfbs2019/", prefer_www=False)
        == "https://france-sandiego.org/sfbs2019/"
    )


def test_prefer_www_true_adds_www_to_a_registrable_domain_only():
    assert canonicalize_url(TCA_BARE, prefer_www=True) == TCA_BARE.replace(
        "https://", "https://www."
    )
    assert canonicalize_url(LATRIBUNE, prefer_www=True) == LATRIBUNE
    preprod = "https://preprod.officieldelafranchise.fr/7-questions-a-la-franchise-milanaise"
    assert canonicalize_url(preprod, prefer_www=True) == preprod


def test_prefer_www_none_leaves_the_host():
    assert canonicalize_url(TCA_BARE) == TCA_BARE
    assert canonicalize_url(TCA_SLASH) == TCA_SLASH


def test_www_and_bare_host_spellings_meet():
    www = "http://www.france-sandiego.org/2017/06/17/paca-region-sandiego"
    bare = "https://france-sandiego.org/2017/06/17/paca-region-sandiego/"
    options = {"prefer_www": False, "keep_trailing_slash": True}
    assert canonicalize_url(www, **options) == canonicalize_url(bare, **options) == bare


def test_trailing_slash_added_removed_or_left():
    assert canonicalize_url(TCA_BARE, keep_trailing_slash=True) == TCA_BARE + "/"
    assert canonicalize_url(TCA_SLASH, keep_trailing_slash=False) == TCA_SLASH[:-1]
    assert canonicalize_url(TCA_SLASH, keep_trailing_slash=None) == TCA_SLASH


def test_trailing_slash_never_added_to_a_file_name():
    assert canonicalize_url(LATRIBUNE, keep_trailing_slash=True) == LATRIBUNE
    legacy = "https://www.investinprovence.com/en_US/biotechnology-rd.html"
    assert canonicalize_url(legacy, keep_trailing_slash=True) == legacy


def test_root_path_keeps_its_slash():
    assert (
        canonicalize_url("https://www.france-sandiego.org", keep_trailing_slash=False)
        == "https://www.france-sandiego.org/"
    )
    assert (
        canonicalize_url("https://www.france-sandiego.org/", keep_trailing_slash=True)
        == "https://www.france-sandiego.org/"
    )


def test_trailing_slash_goes_on_the_path_not_the_query():
    assert (
        canonicalize_url("https://www.france-sandiego.org/events?ical=1", keep_trailing_slash=True)
        == "https://www.france-sandiego.org/events/?ical=1"
    )


# --- canonicalize_url: what is not a web URL ----------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("  mailto:contact@france-sandiego.org ", "mailto:contact@france-sandiego.org"),
        ("javascript:void(0)", "javascript:void(0)"),
        ("/en/news/relative-path", "/en/news/relative-path"),
        ("https://www.example.org:99999/", "https://www.example.org:99999/"),
        ("https://\\/news", "https://\\/news"),  # a backslash is no host
        ("", ""),
    ],
)
def test_non_web_urls_are_returned_as_given(url, expected):
    assert canonicalize_url(url) == expected


# --- host_of, same_site ----------------------------------------------------------------


def test_host_of():
    assert host_of("https://WWW.France-SanDiego.org:8080/sfbs2019/") == "www.france-sandiego.org"
    assert host_of("https://saint-gilles-vieux-marché.net/feed/") == (
        "xn--saint-gilles-vieux-march-yfc.net"
    )
    assert host_of("not a url") == ""
    assert host_of("") == ""


def test_same_site_www_and_bare_host():
    assert same_site(
        "https://www.investinprovence.com/de/node/1944",
        "http://investinprovence.com/en/news/new-board-new-ambitions-for-investors-favorite-agency",
    )
    assert same_site("https://oliviercadic.com/a", "https://WWW.OLIVIERCADIC.COM/b")


def test_same_site_other_hosts():
    # Same organisation, different domains or subdomains: not the same site.
    assert not same_site("https://go-met.com/x", "https://gomet.net/x")
    assert not same_site("https://marseille.latribune.fr/a", "https://region-sud.latribune.fr/a")
    assert not same_site("", "")


# --- resolve_canonical -----------------------------------------------------------------


def test_relative_canonical_is_resolved():
    page = "https://www.investinprovence.com/de/node/1973"
    assert (
        resolve_canonical(page, "/de/node/1973?x=1")
        == "https://www.investinprovence.com/de/node/1973?x=1"
    )
    assert (
        resolve_canonical(page, "//investinprovence.com/de/node/1973")
        == "https://investinprovence.com/de/node/1973"
    )


def test_canonical_on_the_same_domain_is_accepted():
    page = "https://investinprovence.com/de/node/1944"
    canonical = "https://www.investinprovence.com/de/node/1944"
    assert resolve_canonical(page, f"  {canonical}\n") == canonical


def test_canonical_on_a_sibling_subdomain_is_accepted():
    page = "https://marseille.latribune.fr/politique/2017-02-10/draguer-san-diego.html"
    assert resolve_canonical(page, LATRIBUNE) == LATRIBUNE


@pytest.mark.parametrize(
    "hostile",
    [
        "https://www.investinprovence.com/en/news/provence-promotion-s-greatest-annual-results",
        "https://gomet.net/rising-sud-rse/",
        "javascript:alert(1)",
        "data:text/html,hello",
        "ftp://france-sandiego.org/file",
        "",
        "   ",
        None,
    ],
)
def test_canonical_elsewhere_or_unusable_is_ignored(hostile):
    # A repost page cannot claim the original's URL on another domain.
    page = "https://france-sandiego.org/2022/05/05/provence-promotion-s-greatest-annual-results/"
    assert resolve_canonical(page, hostile) == page


# --- is_crawlable_url ------------------------------------------------------------------

ALLOWED = ("www.france-sandiego.org", "france-sandiego.org", "www.investinprovence.com")


@pytest.mark.parametrize(
    "url",
    [
        "https://www.france-sandiego.org/events/",
        "http://france-sandiego.org/2019/01/03/la-savonnerie-du-midi/",
        "https://WWW.INVESTINPROVENCE.COM/de/node/1944",
        "https://www.investinprovence.com./en/news",
        "https://www.france-sandiego.org:443/feed/",
    ],
)
def test_allowed_hosts_are_crawlable(url):
    assert is_crawlable_url(url, ALLOWED)


@pytest.mark.parametrize(
    "url",
    [
        "https://investinprovence.com/de/node/1944",  # bare host not listed
        "https://www.investincotedazur.com/en/",
        "https://evil.example/www.france-sandiego.org/",
        "https://www.france-sandiego.org@evil.example/",
        "https://user:secret@www.france-sandiego.org/",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "data:text/html,<p>x</p>",
        "ftp://www.france-sandiego.org/",
        "mailto:info@france-sandiego.org",
        "/relative/path",
        "",
        "https://[::1/",
    ],
)
def test_other_urls_are_not_crawlable(url):
    assert not is_crawlable_url(url, ALLOWED)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://127.0.0.1:8001/", "127.0.0.1"),
        ("http://localhost/", "localhost"),
        ("http://mirror.localhost/", "mirror.localhost"),
        ("http://10.0.0.5/", "10.0.0.5"),
        ("http://192.168.1.1/admin", "192.168.1.1"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("http://[::1]/", "::1"),
    ],
)
def test_local_and_private_addresses_are_never_crawlable_even_if_listed(url, host):
    assert not is_crawlable_url(url, [host, f"[{host}]"])


def test_idn_hosts_compare_in_either_spelling():
    allowed = ["saint-gilles-vieux-marché.net"]
    assert is_crawlable_url("https://xn--saint-gilles-vieux-march-yfc.net/feed/", allowed)
    assert is_crawlable_url("https://saint-gilles-vieux-marché.net/feed/", allowed)


# --- real feeds --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("feed", "article_field"),
    [
        ("amap-chaudeau/feed/index.html", "link"),
        ("feeds/feedjira/TenderLovemaking.xml", "link"),
        ("feeds/feedjira/TechCrunch.xml", "feedburner_origlink"),
    ],
)
def test_real_comment_links_canonicalise_to_their_article(feed, article_field):
    """WordPress feeds give each post's comments URL as the post URL plus "#respond" or
    "#comments": both canonicalise to one URL."""
    entries = feedparser.parse(require(feed).read_bytes()).entries
    pairs = [(e[article_field], e["comments"]) for e in entries if "comments" in e]
    assert pairs
    for article, comments in pairs:
        assert "#" in comments and "#" not in article
        assert canonicalize_url(comments) == canonicalize_url(article)
        assert canonicalize_url(article) == article.replace("http://", "https://", 1)


def test_real_tracking_link_is_cleaned():
    page = require("city-scrapers/city-scrapers-pitt/pa_development.html").read_text()
    links = re.findall(r'href="(https://theeventscalendar\.com/[^"]*utm_[^"]*)"', page)
    assert links
    for link in links:
        assert canonicalize_url(link) == link.split("?")[0]


# --- properties --------------------------------------------------------------------------

_URL_PIECES = list("hts:/?#&=%.wWxyz_E28B0é[]@;+~ \t") + [
    "http://",
    "https://",
    "www.",
    "utm_source=",
    "amp",
    "%E2%80%8B",
    "\u200b",
    ":80",
    ":443",
    "index.html",
    "..",
]
URLS = st.one_of(
    st.text(),
    st.lists(st.sampled_from(_URL_PIECES), max_size=30).map("".join),
    st.lists(st.sampled_from(_URL_PIECES), max_size=20).map(
        lambda pieces: "http://www.france-sandiego.org/" + "".join(pieces)
    ),
)
OPTIONS = st.sampled_from([None, True, False])


@settings(max_examples=500, deadline=None)
@given(URLS, OPTIONS, OPTIONS)
def test_canonicalize_url_is_idempotent(url, prefer_www, keep_trailing_slash):
    once = canonicalize_url(url, prefer_www=prefer_www, keep_trailing_slash=keep_trailing_slash)
    twice = canonicalize_url(once, prefer_www=prefer_www, keep_trailing_slash=keep_trailing_slash)
    assert twice == once


@settings(max_examples=300, deadline=None)
@given(URLS, URLS)
def test_url_helpers_never_raise(url, other):
    assert isinstance(host_of(url), str)
    assert same_site(url, other) in (True, False)
    page = "https://www.france-sandiego.org/a/"
    resolved = resolve_canonical(page, url)
    host = host_of(resolved)
    assert (
        resolved == page or host == "france-sandiego.org" or host.endswith(".france-sandiego.org")
    )
    if is_crawlable_url(url, ["www.france-sandiego.org"]):
        assert host_of(url) == "www.france-sandiego.org"
