"""FIMI post ingest: mapping, normalisation, URLs (both traps of empty links and short
forms), and bad rows by line and field."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from accord.core.errors import InvalidInput
from accord.desks.fimi.posts import (
    _dropped,
    _symbols,
    normalise_text,
    normalise_url,
    parse_mapping,
    read_posts,
)


def test_text_is_normalised_for_matching() -> None:
    text = "ＢＲＥＡＫＩＮＧ 🔥🔥 Sanctions   hurt ONLY Europeans! https://t.co/abc ✅"
    assert normalise_text(text) == "breaking sanctions hurt only europeans!"
    assert normalise_text("Санкции вредят ТОЛЬКО европейцам") == "санкции вредят только европейцам"
    assert normalise_text("제재는 유럽인에게만 해롭다") == "제재는 유럽인에게만 해롭다"


def test_boilerplate_is_stripped_but_not_the_words_inside_a_claim() -> None:
    assert normalise_text("RT @newsbot: Sanctions hurt only Europeans. Read more here:") == (
        "sanctions hurt only europeans."
    )
    assert (
        normalise_text("Why read more news? Sanctions hurt") == "why read more news? sanctions hurt"
    )


def test_a_missing_language_is_detected_and_a_given_one_kept(tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    path.write_text(
        "id,account,text,timestamp,language\n"
        "1,a,The sanctions only hurt ordinary Europeans and their families,1772359260,\n"
        "2,b,Санкции вредят только простым европейцам и их семьям,1772359260,\n"
        "3,c,제재는 평범한 유럽인과 그 가족에게만 해를 끼친다,1772359260,\n"
        "4,d,Sanctions hurt,1772359260,de\n"
        "5,e,🔥🔥,1772359260,\n"
    )
    languages = [r["language"] for r in read_posts(path).posts.to_pylist()]
    assert languages == ["en", "ru", "ko", "de", None]


def test_urls_are_compared_without_tracking_and_empty_ones_are_no_links() -> None:
    assert (
        normalise_url("HTTPS://Example.COM/News/?utm_source=x&id=7#top")
        == "https://example.com/News?id=7"
    )
    assert normalise_url("") is None
    assert normalise_url("   ") is None
    assert normalise_url("javascript:alert(1)") is None


def test_a_mapped_csv_is_read_and_short_links_expanded(tmp_path: Path) -> None:
    path = tmp_path / "posts.csv"
    path.write_text(
        "pid,user,body,when,link,long_link\n"
        "1,alice,Read this https://bit.ly/x1,2026-03-01T10:00:00Z,https://bit.ly/x1,https://news.example/story\n"
        "2,bob,and this,1772359260,,\n"
        "3,carol,no time,yesterday,,\n"
        "4,,no account,2026-03-01T10:02:00Z,,\n"
    )
    mapping = parse_mapping(
        "id=pid,account=user,text=body,timestamp=when,url=link,expanded_url=long_link"
    )
    found = read_posts(path, mapping)
    rows = found.posts.to_pylist()
    assert [r["post_id"] for r in rows] == ["1", "2"]
    assert rows[0]["urls"] == ["https://news.example/story"]
    assert rows[1]["urls"] == []  # an empty link column is no shared link
    assert [(r.line, r.reason) for r in found.rejects] == [
        (4, "when: cannot read 'yesterday' as a time"),
        (5, "user: missing"),
    ]
    with pytest.raises(InvalidInput, match=r"posts\.csv:4: when"):
        read_posts(path, mapping, strict=True)


def test_a_file_without_the_needed_columns_asks_for_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('{"pid": "1", "body": "x"}\n')
    with pytest.raises(InvalidInput, match="give a mapping"):
        read_posts(path)
    with pytest.raises(InvalidInput, match="write ours=theirs"):
        parse_mapping("words=body")


def test_the_one_pass_symbol_class_drops_exactly_what_the_rule_drops() -> None:
    # Every code point, a chunk at a time: the regex built once equals the per-character
    # rule it stands for (symbols, marks, private use and surrogates out; letters stay).
    for start in range(0, sys.maxunicode + 1, 4096):
        chunk = "".join(chr(c) for c in range(start, min(start + 4096, sys.maxunicode + 1)))
        expected = "".join(ch for ch in chunk if not _dropped(ch))
        assert _symbols().sub("", chunk) == expected, hex(start)
    assert _symbols().sub("", "a🔥b\u0303c\ue000d") == "abcd"
