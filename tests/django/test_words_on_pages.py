"""The console, the review and the plenary speak in words; codes stay as small tags."""

import pytest

from wargame.exercises import services

pytestmark = pytest.mark.django_db


def _order(exercise, name, team, action, target=""):
    p = services.player_join(exercise=exercise, display_name=name, session_key=f"s-{name}")
    p = services.player_choose_team(player=p, team_code=team)
    services.order_save(player=p, turn_number=1, slot=1, action=action, target=target, base_revision=0)


def test_the_orders_table_names_actions_and_targets(white_client, exercise):
    _order(exercise, "Aiko", "JPN", "M1", "CHN")
    html = white_client.get(f"/f/{exercise.pk}/").content.decode()
    assert '<th scope="col">Target</th>' in html and '<th scope="col">At</th>' not in html
    assert '<span class="action-name">Naval procurement' in html and '<span class="code-tag">M1</span>' in html
    assert "<td>China</td>" in html
    assert '<abbr class="help" title="Institution level: ' in html  # the true-state table explains IL
    assert 'id="source-rinna"' in html  # the sources the references point to


def test_the_review_says_what_happened_in_words(white_client, exercise):
    _order(exercise, "Aiko", "JPN", "M2")
    services.turn_lock(exercise=exercise, by="white")
    services.turn_resolve(turn_id=exercise.turns.get(number=1).pk)
    html = white_client.get(f"/f/{exercise.pk}/").content.decode()
    assert "Japan: ASW patrols at Soya/Okhotsk" in html
    assert "rolled, nothing happened" not in html
    review = html[html.index('<ol class="review-list">'):html.index("</ol>", html.index('<ol class="review-list">'))]
    # Inject prose cites its sources readably; the narrative textareas keep the keys White can edit.
    assert "[mofa-sochi-2016]" not in review and 'href="#source-mofa-sochi-2016"' in review


def test_the_plenary_headlines_read_as_words(client, exercise):
    _order(exercise, "Aiko", "JPN", "M2")
    services.turn_lock(exercise=exercise, by="white")
    services.turn_resolve(turn_id=exercise.turns.get(number=1).pk)
    services.turn_publish(exercise=exercise, by="white", turn_number=1)
    html = client.get(f"/x/{exercise.join_code}/plenary/").content.decode()
    assert "<li>Japan: ASW patrols at Soya/Okhotsk</li>" in html
    assert "JPN: M2" not in html


def test_the_team_dashboard_names_actions_and_explains_its_variables(jpn_client, exercise):
    """Japan orders M2: the orders summary says what M2 is, and the state panel explains each variable."""
    r = jpn_client.post(f"/x/{exercise.join_code}/t/JPN/orders/1/", {"action": "M2", "turn": 1, "revision": 0})
    assert r.status_code == 200
    page = jpn_client.get(f"/x/{exercise.join_code}/t/JPN/").content.decode()
    summary = page[page.index('id="orders-summary"'):]
    summary = summary[:summary.index("</section>")]
    assert "ASW patrols" in summary
    state = page[page.index('id="team-state"'):]
    assert '<abbr class="help"' in state[:state.index("</section>")]


def test_the_briefing_cites_readable_references_with_their_sources(jpn_client, exercise):
    page = jpn_client.get(f"/x/{exercise.join_code}/t/JPN/").content.decode()
    briefing = page[page.index('class="card panel briefing"'):]
    briefing = briefing[:briefing.index("</section>")]
    assert "[rinna]" not in briefing
    assert 'href="#source-rinna"' in briefing and 'id="source-rinna"' in briefing


def test_no_page_a_player_reads_shows_a_raw_citation_key(jpn_client, exercise):
    """Injects, objectives, the catalogue's help and a past turn's news all turn [key] into a source link."""
    import re

    from wargame.exercises.templatetags.words import CITATION

    services.turn_lock(exercise=exercise, by="white")
    services.turn_resolve(turn_id=exercise.turns.get(number=1).pk)
    services.turn_publish(exercise=exercise, by="white", turn_number=1)
    base = f"/x/{exercise.join_code}/t/JPN/"
    for url in (base, f"{base}turns/1/"):
        page = jpn_client.get(url).content.decode()
        body = re.sub(r"<textarea.*?</textarea>", "", page, flags=re.S)
        assert not CITATION.findall(body), f"{url} shows raw keys: {sorted(set(CITATION.findall(body)))}"
    assert 'class="cite"' in jpn_client.get(base).content.decode()
