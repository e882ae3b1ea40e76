import pytest

from sources.ingest import MAX_INPUT_BYTES, Format, IngestError, extract, normalize_whitespace

PAGE = """<!doctype html><html><head><title>Calm Clinic | Ketamine</title>
<style>body { color: red }</style><script>trackVisitor("x")</script></head>
<body><nav><ul><li><a href="/">Home</a></li><li><a href="/team">Our team</a></li></ul></nav>
<article><h1>Ketamine for anxiety</h1>
<p>Ketamine   relieves anxiety <b>within hours</b> for most of our patients.</p>
<p>A course is usually six infusions, given a week apart.</p>
<p>Side effects are mild and pass within an hour of the session.</p></article>
<footer>Copyright 2025 Calm Clinic. All rights reserved.</footer></body></html>"""


def test_html_keeps_the_main_text_and_drops_boilerplate():
    extracted = extract(PAGE, name="page.html")
    assert extracted.format == Format.HTML
    assert "Ketamine relieves anxiety within hours for most of our patients." in extracted.text
    assert "six infusions, given a week apart" in extracted.text
    for boilerplate in ("trackVisitor", "color: red", "Our team", "All rights reserved"):
        assert boilerplate not in extracted.text
    assert "\n\n" in extracted.text  # paragraphs kept
    assert extracted.title


def test_markdown_and_plain_text_are_accepted():
    markdown = extract("# Ketamine\n\nIt works **within hours** for _most_ people, we say.\n")
    assert markdown.format == Format.TEXT  # no extension: read as text, markup and all
    named = extract(
        "# Ketamine\n\nIt works **within hours** for _most_ people, we say.\n", name="a.md"
    )
    assert named.format == Format.MARKDOWN
    assert named.text == "Ketamine\n\nIt works within hours for most people, we say."


def test_whitespace_is_normalized_once_so_offsets_stay_valid():
    messy = "Line one\r\nhas\ttabs  and\u00a0spaces.\u200b\x07\n\n\n\nNext paragraph.  "
    text = normalize_whitespace(messy)
    assert text == "Line one\nhas tabs and spaces.\n\nNext paragraph."
    assert normalize_whitespace(text) == text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Only 0 characters"),
        (b"   \n\t  ", "Only 0 characters"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks binary"),
        (
            "caf\u00e9 au lait, a sentence long enough to be a document.".encode("latin-1"),
            "not UTF-8",
        ),
        (b"<html><body><nav>Home</nav></body></html>", "Only"),
    ],
)
def test_unusable_input_is_refused_with_a_reason(data, message):
    with pytest.raises(IngestError, match=message):
        extract(data)


def test_oversized_input_is_refused():
    with pytest.raises(IngestError, match=f"limit is {MAX_INPUT_BYTES:,} bytes"):
        extract(b"a" * (MAX_INPUT_BYTES + 1))
