"""White's review changes one row in place over htmx, and still works as a plain form post."""

import pytest

from wargame.exercises import services
from wargame.exercises.models import Turn

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def _review(exercise):
    p = services.player_join(exercise=exercise, display_name="Aiko", session_key="s-aiko")
    p = services.player_choose_team(player=p, team_code="JPN")
    services.order_save(player=p, turn_number=1, slot=1, action="M2", target="", base_revision=0)
    services.turn_lock(exercise=exercise, by="white")
    turn = exercise.turns.get(number=1)
    services.turn_resolve(turn_id=turn.pk)
    turn.refresh_from_db()
    return turn


def _scale(white_client, exercise, **extra):
    return white_client.post(f"/f/{exercise.pk}/override/", {
        "turn": 1, "event": "t1:order:JPN:M2", "kind": "scale", "value": "0.5", "reason": "Pedagogy",
        "note": "gentle"}, **extra)


def test_an_override_over_htmx_answers_with_its_row_and_a_confirmation(white_client, exercise):
    _review(exercise)
    response = _scale(white_client, exercise, **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<li class="review-item review-action" id="review-row-t1-order-JPN-M2"')
    assert "Scaled ×0.5 — saved" in html
    assert "<html" not in html and 'id="console-turn"' not in html
    assert "Japan: ASW patrols at Soya/Okhotsk" in html  # words, not "JPN: M2"
    turn = exercise.turns.get(number=1)
    assert turn.inputs["overrides"][0]["value"] == 0.5


def test_the_same_form_without_javascript_still_redirects_to_the_console(white_client, exercise):
    _review(exercise)
    response = _scale(white_client, exercise)
    assert response.status_code == 302 and response["Location"] == f"/f/{exercise.pk}/"


def test_a_refused_override_says_why_in_its_row(white_client, exercise):
    _review(exercise)
    response = white_client.post(f"/f/{exercise.pk}/override/", {
        "turn": 1, "event": "t1:order:JPN:M2", "kind": "scale", "value": "nan", "reason": "Pedagogy"}, **HX)
    html = response.content.decode()
    assert 'id="review-row-t1-order-JPN-M2"' in html and "saved-error" in html and "Enter a number" in html


def test_undo_reroll_dice_and_narrative_each_answer_in_place(white_client, exercise):
    turn = _review(exercise)
    _scale(white_client, exercise, **HX)
    html = white_client.post(f"/f/{exercise.pk}/override/clear/", {"turn": 1, "event": "t1:order:JPN:M2"},
                             **HX).content.decode()
    assert "Overrides undone — saved" in html and 'id="review-row-t1-order-JPN-M2"' in html
    draw = turn.result["draws"][0]
    html = white_client.post(f"/f/{exercise.pk}/override/", {
        "turn": 1, "event": draw["event"], "draw": draw["k"], "kind": "reroll", "reason": "Realism"},
        **HX).content.decode()
    assert "Re-rolled — saved" in html and "re-rolled" in html
    html = white_client.post(f"/f/{exercise.pk}/override/", {
        "turn": 1, "event": draw["event"], "draw": draw["k"], "kind": "manual_dice", "value": "42",
        "reason": "Realism"}, **HX).content.decode()
    assert "Physical dice 42 — saved" in html
    html = white_client.post(f"/f/{exercise.pk}/narrative/", {"turn": 1, "team": "JPN", "text": "Quiet seas."},
                             **HX).content.decode()
    assert html.lstrip().startswith('<details class="narrative" id="narrative-JPN" open>')
    assert "Narrative for JPN saved" in html and "Quiet seas." in html and "edited by White" in html
    # The whole console shows White's edit too, not the engine's first draft.
    assert "Quiet seas." in white_client.get(f"/f/{exercise.pk}/").content.decode()


def test_a_change_to_a_published_turn_answers_with_the_whole_review_and_says_why(white_client, exercise):
    _review(exercise)
    services.turn_publish(exercise=exercise, by="white", turn_number=1)
    assert exercise.turns.get(number=1).status == Turn.Status.PUBLISHED
    response = _scale(white_client, exercise, **HX)
    assert response["HX-Retarget"] == "#console-review"
    assert 'data-testid="review-error"' in response.content.decode()


def test_in_review_the_console_says_which_way_to_lay_itself_out(white_client, exercise):
    _review(exercise)
    html = white_client.get(f"/f/{exercise.pk}/").content.decode()
    assert 'id="console-turn" class="card panel" data-status="review"' in html


def test_an_argued_adjudication_answers_with_its_card_and_shows_the_outcome_in_words(white_client, exercise):
    p = services.player_join(exercise=exercise, display_name="Boris", session_key="s-boris")
    rus = services.player_choose_team(player=p, team_code="RUS")
    services.argued_save(player=rus, turn_number=1, action="Offer a joint fisheries patrol",
                         intended="Japan-Russia tension falls", reasons=["Fishers on both sides want calm"],
                         nearest_action="E5", target="JPN", base_revision=0)
    response = white_client.post(f"/f/{exercise.pk}/argued/", {
        "turn": 1, "team": "RUS", "reasons_sent": "1", "reasons": ["0"], "white_card": "70"}, **HX)
    html = response.content.decode()
    assert html.lstrip().startswith('<article class="argued" id="argued-RUS"')
    assert "Adjudication saved" in html and "Fisheries agreement" in html and "→ Japan" in html
    assert white_client.post(f"/f/{exercise.pk}/argued/", {"turn": 1, "team": "RUS", "reasons_sent": "1",
                                                           "white_card": "70"}).status_code == 302
    services.turn_lock(exercise=exercise, by="white")
    services.turn_resolve(turn_id=exercise.turns.get(number=1).pk)
    page = white_client.get(f"/f/{exercise.pk}/").content.decode()
    assert "Russia: argued action — " in page
    assert any(f'class="outcome outcome-{o}"' in page for o in ("yes_and", "yes_but", "no_but", "no_and"))


def test_the_reviews_own_refresh_keeps_the_confirmation_whichever_answer_lands_last(white_client, exercise,
                                                                                      other_facilitator):
    """The override rings the doorbell; the review's refresh can overtake the row's answer and replace the
    row it was aimed at. The refresh itself carries the confirmation, for White only, for half a minute."""
    _review(exercise)
    assert _scale(white_client, exercise, **HX).status_code == 200
    refresh = white_client.get(f"/f/{exercise.pk}/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="console-review")
    assert "Scaled ×0.5 — saved" in refresh.content.decode()
    from django.test import Client

    grey = Client()
    grey.force_login(other_facilitator)
    services.facilitator_add(exercise=exercise, user=other_facilitator, by="white")
    theirs = grey.get(f"/f/{exercise.pk}/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="console-review")
    assert theirs.status_code == 200 and "Scaled ×0.5 — saved" not in theirs.content.decode()
