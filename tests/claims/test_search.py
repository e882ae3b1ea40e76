from claims.search import Concept, interpret, word_key, words


def test_a_words_key_is_what_it_shares_with_its_stem():
    assert word_key("anxiety") == "anxiet"
    assert word_key("infusions") == "infus"
    assert word_key("addictive") == "addict"
    assert word_key("iv") == "iv"


def test_question_words_are_dropped_and_ketamine_is_kept():
    reading = interpret("Does ketamine work within an hour for anxiety?")
    assert [c.typed for c in reading.concepts] == ["ketamine", "work", "within", "hour", "anxiety"]


def test_a_clinicians_words_are_matched_by_their_synonyms():
    (addictive,) = interpret("addictive").concepts
    assert {"addict", "abus", "misus", "depend"} <= set(addictive.keys)
    (fast,) = interpret("fast").concepts
    assert {"onset", "rapid"} <= set(fast.keys)


def test_a_phrase_is_read_as_one_concept_before_its_words():
    how_many, infusions = interpret("how many infusions").concepts
    assert how_many.typed == "how many"
    assert {"number", "seri", "cours"} <= set(how_many.keys)
    assert infusions.keys[0] == "infus"


def test_a_word_no_text_uses_is_read_as_the_closest_known_word():
    reading = interpret(
        "anxeity ketamin", known=lambda found: [], closest={"anxeity": "anxiety"}.get
    )
    assert reading.corrections == [("anxeity", "anxiety")]
    assert reading.corrected_query == "anxiety ketamin"
    assert reading.concepts[0].keys[0] == "anxiet"


def test_a_known_word_is_never_corrected():
    reading = interpret("esketamine", known=lambda found: found, closest=lambda w: "ketamine")
    assert reading.corrections == []


def test_a_text_missing_one_word_still_scores_below_one_that_has_all():
    reading = interpret("ketamine infusions anxiety")
    both = reading.score("A series of six ketamine infusions for anxiety.")
    one_missing = reading.score("A series of six ketamine infusions.")
    none = reading.score("Opening hours and parking.")
    assert both == 1.0
    assert 0 < one_missing < both
    assert none == 0


def test_the_searchers_own_word_scores_above_a_synonym_and_a_title_above_a_body():
    reading = interpret("addictive")
    assert reading.score("Is ketamine addictive?") > reading.score("Abuse and misuse")
    assert reading.score("Abuse and misuse") > reading.score("Dosing", "Ketamine is addictive.")


def test_a_short_key_matches_whole_words_only():
    reading = interpret("iv")
    assert reading.score("Given by IV infusion.") == 1.0
    assert reading.score("Ivory tower.") == 0


def test_rare_concepts_weigh_more_than_common_ones():
    reading = interpret("ketamine bladder")
    texts = ["ketamine a", "ketamine b", "ketamine c", "ketamine bladder"]
    weights = reading.weights(texts)
    ketamine, bladder = reading.concepts
    assert weights[bladder] > weights[ketamine]
    assert reading.score("bladder damage", weights=weights) > reading.score(
        "ketamine clinic", weights=weights
    )


def test_words_are_read_lowercased_with_their_hyphens():
    assert words("Post-traumatic STRESS, 83%") == ["post-traumatic", "stress", "83"]
    assert isinstance(interpret("ocd").concepts[0], Concept)
