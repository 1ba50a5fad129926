"""The topic query language as a table: query, title, text, expected match."""

from __future__ import annotations

import pytest

from presswatch.errors import QuerySyntaxError
from presswatch.query import parse_query, render_query
from presswatch.query.evaluate import Document, matches
from presswatch.words import words

TEXT = (
    "Keir Starmer has warned that Vladimir Putin could invade Ukraine again unless the US "
    "provides security guarantees. Zelenskyy's visit follows; the co-operation deal is worth "
    "2.5% of GDP. Résumé sent to the Élysée."
)


@pytest.mark.parametrize(
    ("query", "title", "text", "hit"),
    [
        # words: whole words, case and accents
        ("ukraine", "", TEXT, True),
        ("UKRAINE", "", TEXT, True),
        ("Ukrain", "", TEXT, False),
        ("war", "", "the warning was clear", False),
        ("warn", "", TEXT, False),
        ("warned", "", TEXT, True),
        ("war", "", "a war of words", True),
        ("wars", "", "a war of words", False),
        ("resume", "", TEXT, True),
        ("résumé", "", "RESUME sent", True),
        ("elysee", "", TEXT, True),
        ("straße", "", "Die STRASSE ist lang", True),
        # possessives, hyphens, numbers
        ("zelenskyy", "", TEXT, True),
        ("Zelenskyy's", "", "Zelenskyy arrived", True),
        ("trump", "", "Trump's deal", True),
        ("co-operation", "", TEXT, True),
        ("co-operation", "", "co operation", True),
        ("cooperation", "", TEXT, False),
        ("operation", "", TEXT, True),
        ("2.5%", "", TEXT, True),
        ("2.5", "", TEXT, True),
        ("2", "", TEXT, False),
        # prefixes
        ("guarantee*", "", TEXT, True),
        ("guarantees*", "", TEXT, True),
        ("guaranteed*", "", TEXT, False),
        ("war*", "", "the warning was clear", True),
        ("ukr*", "", TEXT, True),
        # phrases, punctuation between words ignored
        ('"security guarantees"', "", TEXT, True),
        ('"security guarantees"', "", "security, guarantees", True),
        ('"security guarantees"', "", "security - guarantees!", True),
        ('"guarantees security"', "", TEXT, False),
        ('"security guarantee*"', "", "Security guarantees for Kyiv", True),
        ('"security guarantee*"', "", "security and guarantees", False),
        ('"keir starmer"', "", TEXT, True),
        ('"starmer has warned"', "", TEXT, True),
        # a phrase does not run from the title into the text
        ('"talks starmer"', "Critical talks", "Starmer arrived", False),
        # AND, implicit AND, OR, NOT
        ("ukraine AND putin", "", TEXT, True),
        ("ukraine putin", "", TEXT, True),
        ("ukraine AND football", "", TEXT, False),
        ("ukraine football", "", TEXT, False),
        ("football OR putin", "", TEXT, True),
        ("football OR cricket", "", TEXT, False),
        ("NOT football", "", TEXT, True),
        ("NOT putin", "", TEXT, False),
        ("ukraine AND NOT football", "", TEXT, True),
        ("ukraine NOT putin", "", TEXT, False),
        ("NOT NOT putin", "", TEXT, True),
        # lower-case operators are words
        ("putin and", "", TEXT, False),
        ("putin or football", "", TEXT, False),
        ("putin not", "", "putin does not", True),
        # precedence: NOT, then AND, then OR
        ("football AND cricket OR putin", "", TEXT, True),  # (football AND cricket) OR putin
        ("putin OR football AND cricket", "", TEXT, True),  # putin OR (football AND cricket)
        ("(putin OR football) AND cricket", "", TEXT, False),
        ("NOT football AND putin", "", TEXT, True),  # (NOT football) AND putin
        ("NOT putin OR ukraine", "", TEXT, True),  # (NOT putin) OR ukraine
        ("NOT (putin OR football)", "", TEXT, False),
        (
            '"security guarantee*" AND (Ukraine OR Kyiv) NOT title:football',
            "Talks on Ukraine",
            TEXT,
            True,
        ),
        (
            '"security guarantee*" AND (Ukraine OR Kyiv) NOT title:football',
            "Football and Ukraine",
            TEXT,
            False,
        ),
        # NEAR: distance = difference of positions of the nearest words, either order
        ("starmer NEAR/1 keir", "", TEXT, True),
        ("keir NEAR/1 starmer", "", TEXT, True),
        ("keir NEAR/2 warned", "", TEXT, False),  # keir starmer has warned: 3 apart
        ("keir NEAR/3 warned", "", TEXT, True),
        ("warned NEAR/3 keir", "", TEXT, True),
        ('a NEAR/2 "b c"', "", "a x b c", True),
        ('a NEAR/1 "b c"', "", "a x b c", False),
        ('"b c" NEAR/2 a', "", "b c x a", True),
        ('"b c" NEAR/1 a', "", "b c x a", False),
        ("putin NEAR/5 guarantee*", "", TEXT, False),
        ("putin NEAR/12 guarantee*", "", TEXT, True),
        ("talks NEAR/5 starmer", "Critical talks", "Starmer arrived", False),  # not across fields
        # fields
        ("title:ukraine", "Talks on Ukraine", "nothing here", True),
        ("title:ukraine", "Talks", TEXT, False),
        ("text:ukraine", "Ukraine", "nothing here", False),
        ("text:ukraine", "", TEXT, True),
        ('title:"critical talks"', "Critical talks", "", True),
        ("title:(football OR talks)", "Critical talks", "", True),
        ("title:(football OR putin)", "Critical talks", TEXT, False),
        ("title:(talks text:putin)", "Critical talks", TEXT, True),  # an inner field wins
        ("ukraine", "Ukraine", "", True),  # no field: title or text
        ("title: ukraine", "Talks on Ukraine", "", True),  # a space after the colon is forgiven
    ],
)
def test_query_matches(query: str, title: str, text: str, hit: bool) -> None:
    document = Document.build(
        title=title,
        text=text,
        source="guardian-world",
        url="https://www.theguardian.com/world/2025/feb/26/starmer",
    )
    assert matches(parse_query(query), document) is hit


@pytest.mark.parametrize(
    ("query", "hit"),
    [
        ("source:guardian-world", True),
        ("source:guardian", True),
        ("source:bbc", False),
        ("url:theguardian", True),
        ('url:"world 2025"', True),
        ("url:starmer AND title:talks", True),
    ],
)
def test_source_and_url_fields(query: str, hit: bool) -> None:
    document = Document.build(
        title="Talks",
        text="body",
        source="guardian-world",
        url="https://www.theguardian.com/world/2025/feb/26/starmer",
    )
    assert matches(parse_query(query), document) is hit


@pytest.mark.parametrize(
    ("query", "column", "expected"),
    [
        ("(ukraine OR kyiv", 17, "')'"),
        ('"security guarantees" AND (Ukraine OR Kyiv', 43, "')'"),
        ("ukraine OR", 11, "a word, phrase or '('"),
        ("ukraine AND AND kyiv", 13, "a word, phrase or '('"),
        ("OR ukraine", 1, "a word, phrase or '('"),
        ("ukraine)", 8, "an operator or the end (unmatched ')')"),
        ('"security guarantees', 21, "'\"' to close the phrase"),
        ("title:", 7, "a word, phrase or '(' after title:"),
        ("title:)", 7, "a word, phrase or '(' after title:"),
        ("ukraine NEAR/ kyiv", 14, "a distance after NEAR/ (e.g. NEAR/5)"),
        ("ukraine NEAR/0 kyiv", 14, "a distance of at least 1"),
        ("(a OR b) NEAR/3 c", 10, "a word or phrase before NEAR (not a group)"),
        ("a NEAR/3 (b OR c)", 10, "a word or phrase after NEAR (not a group)"),
        ("a NEAR/3 b NEAR/3 c", 12, "AND or OR between NEAR operators"),
        ("w*", 1, "at least 2 letters before '*'"),
        ("()", 2, "a word, phrase or '('"),
        ("", 1, "a word, phrase or '('"),
        ("   ", 4, "a word, phrase or '('"),
        ('""', 1, "a phrase with words"),
        ("%", 1, "a word"),
        ("NOT", 4, "a word, phrase or '('"),
    ],
)
def test_syntax_errors_name_their_column(query: str, column: int, expected: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(query)
    assert info.value.column == column
    assert str(info.value) == f"query error at column {column}: expected {expected}"


def test_normalisation_examples_from_the_readme() -> None:
    assert words("Zelenskyy's co-operation: 2.5% O'Brien Résumé STRASSE") == [
        "zelenskyy",
        "co",
        "operation",
        "2.5",
        "obrien",
        "resume",
        "strasse",
    ]


@pytest.mark.parametrize(
    "query",
    [
        '"security guarantee*" AND (Ukraine OR Kyiv) NOT title:football',
        "a b OR c AND NOT d",
        "title:(a OR b) c",
        'a NEAR/5 "b cd*"',
        "source:bbc-world url:news",
        "and OR or",
        "NOT NOT x",
    ],
)
def test_render_parses_back_to_the_same_tree(query: str) -> None:
    tree = parse_query(query)
    assert parse_query(render_query(tree)) == tree
