from hypothesis import given
from hypothesis import strategies as st

from claims.models import AnchorState
from claims.reanchoring import reanchor

OLD = (
    "Welcome to the Sunrise Clinic.\n\n"
    "Ketamine infusions help 83% of our patients feel better. "
    "Most notice relief within hours of the first session.\n\n"
    "Call us today to book a consultation."
)
QUOTE = "Ketamine infusions help 83% of our patients feel better."


def anchor_in(new_text: str, quote: str = QUOTE, old_text: str = OLD):
    start = old_text.index(quote)
    return reanchor(
        quote=quote,
        prefix=old_text[max(0, start - 64) : start],
        suffix=old_text[start + len(quote) : start + len(quote) + 64],
        start=start,
        text=new_text,
    )


def test_a_quote_where_it_was_is_unchanged():
    anchor = anchor_in(OLD)
    assert anchor.state == AnchorState.UNCHANGED
    assert OLD[anchor.start : anchor.end] == QUOTE


def test_a_quote_found_verbatim_elsewhere_has_moved():
    new = "New: evening appointments.\n\n" + OLD
    anchor = anchor_in(new)
    assert anchor.state == AnchorState.MOVED
    assert new[anchor.start : anchor.end] == QUOTE and anchor.start > OLD.index(QUOTE)


def test_of_two_verbatim_copies_the_one_in_its_old_surroundings_is_taken():
    new = QUOTE + " (from our brochure)\n\n" + "Intro.\n\n" + OLD
    anchor = anchor_in(new)
    assert anchor.state == AnchorState.MOVED
    assert anchor.start == new.index("Welcome") + OLD.index(QUOTE)


def test_a_reworded_quote_in_its_old_place_has_changed_and_names_its_new_wording():
    new = OLD.replace("83%", "90%")
    anchor = anchor_in(new)
    assert anchor.state == AnchorState.CHANGED
    assert anchor.text == "Ketamine infusions help 90% of our patients feel better."
    assert new[anchor.start : anchor.end] == anchor.text
    assert 0.9 < anchor.similarity < 1


def test_a_reworded_quote_whose_surroundings_changed_too_is_found_by_its_wording():
    new = (
        "Spring offers for new patients!\n\n"
        "Call now. Ketamine infusions help 90% of our patients feel much better. "
        "Book a session."
    )
    anchor = anchor_in(new)
    assert anchor.state == AnchorState.CHANGED
    assert anchor.text == "Ketamine infusions help 90% of our patients feel much better."


def test_a_deleted_quote_is_gone():
    new = OLD.replace(QUOTE + " ", "")
    anchor = anchor_in(new)
    assert (anchor.state, anchor.start, anchor.text) == (AnchorState.GONE, None, "")


def test_a_quote_replaced_by_a_different_sentence_is_gone_not_carried_over():
    new = OLD.replace(QUOTE, "We accept most major insurance plans for consultations.")
    assert anchor_in(new).state == AnchorState.GONE


def test_a_quote_is_not_taken_for_a_merely_related_sentence_elsewhere():
    new = (
        "Welcome.\n\nKetamine may help some patients with depression.\n\n"
        "Call us today to book a consultation."
    )
    assert anchor_in(new).state == AnchorState.GONE


words = st.text(alphabet="abcdefghij ", min_size=1, max_size=30)


@given(before=words, quote=words.filter(str.strip), after=words, inserted=words)
def test_verbatim_text_always_lands_on_the_quote(before, quote, after, inserted):
    old = before + quote + after
    start = len(before)
    kwargs = dict(quote=quote, prefix=before[-64:], suffix=after[:64], start=start)
    same = reanchor(**kwargs, text=old)
    assert same.state == AnchorState.UNCHANGED and (same.start, same.end) == (
        start,
        len(old) - len(after),
    )
    new = inserted + old
    anchor = reanchor(**kwargs, text=new)
    assert anchor.state in (AnchorState.UNCHANGED, AnchorState.MOVED)
    assert new[anchor.start : anchor.end] == quote
