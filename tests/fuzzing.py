"""Helpers for the property-based and hostile-input tests: example counts that follow the
hypothesis profile, and a parse of an HTML page into its elements and its text."""

from dataclasses import dataclass
from html.parser import HTMLParser

from hypothesis import settings

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


def examples(n: int) -> int:
    """n examples under the default profile, scaled when HYPOTHESIS_PROFILE asks for more."""
    return max(1, n * settings.default.max_examples // 100)


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    start: int  # offset of the element's first character in the page's text
    end: int | None = None  # offset after its last character, once closed


class Markup(HTMLParser):
    """Every element of an HTML page with where its text starts and ends, the page's text
    (character references decoded), and anything else the parser met (comments,
    declarations, processing instructions, end tags closing nothing)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.others: list[str] = []
        self._text: list[str] = []
        self._offset = 0
        self._open: list[Element] = []

    @classmethod
    def parse(cls, html: str) -> "Markup":
        markup = cls()
        markup.feed(html)
        markup.close()
        return markup

    @property
    def text(self) -> str:
        return "".join(self._text)

    @property
    def unclosed(self) -> list[Element]:
        return list(self._open)

    def named(self, tag: str) -> list[Element]:
        return [element for element in self.elements if element.tag == tag]

    def text_of(self, element: Element) -> str:
        return self.text[element.start : element.end]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs), self._offset)
        self.elements.append(element)
        if tag in VOID_TAGS:
            element.end = self._offset
        else:
            self._open.append(element)

    def handle_endtag(self, tag):
        if not self._open or self._open[-1].tag != tag:
            self.others.append(f"</{tag}> closing {self._open[-1].tag if self._open else None}")
            return
        self._open.pop().end = self._offset

    def handle_data(self, data):
        self._text.append(data)
        self._offset += len(data)

    def handle_comment(self, data):
        self.others.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        if decl.lower() != "doctype html":
            self.others.append(f"<!{decl}>")

    def handle_pi(self, data):
        self.others.append(f"<?{data}>")

    def unknown_decl(self, data):
        self.others.append(f"<![{data}]>")
