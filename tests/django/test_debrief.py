"""The after-action review: its data (the thesis chart's parts add up to each published ΔT(JPN,RUS)), every
chart with its title, description and data table, White's release and withdrawal, what the public version
shows and hides, who gets a 404, and the timeline's filters."""

import math
import re

import pytest
from django.test import Client

from wargame.exercises import selectors, services
from wargame.exercises.models import Exercise, Turn
from wargame.exercises.selectors.debrief import PART_NAMES

from ..conftest import join

pytestmark = pytest.mark.django_db

SECRET_MESSAGE = "Secret channel 漁業 offer at 3pm"
WHITE_NOTE = "A private note from White about pace"


def _player(exercise, name, code):
    p = services.player_join(exercise=exercise, display_name=name, session_key=f"s-{exercise.pk}-{name}")
    return services.player_choose_team(player=p, team_code=code)


def _resolve_publish(exercise, number, *, overrides=()):
    services.turn_lock(exercise=exercise, by="white")
    turn = exercise.turns.get(number=number)
    services.turn_resolve(turn_id=turn.pk)
    for o in overrides:
        services.turn_override(exercise=exercise, by="white", turn_number=number, **o)
    services.turn_publish(exercise=exercise, by="white")


def play(exercise, turns=3):
    """Japan and Russia build up against China (spillover onto each other), Russia argues for a fisheries
    patrol, teams talk; White scales Japan's patrols with a private note in turn 1."""
    jpn, rus, chn = (_player(exercise, n, c) for n, c in (("Aiko", "JPN"), ("Boris", "RUS"), ("Chen", "CHN")))
    for number in range(1, turns + 1):
        for player, action, target in ((jpn, "M2", ""), (chn, "M7", "soya"), (rus, "M4", "")):
            try:
                services.order_save(player=player, turn_number=number, slot=1, action=action, target=target,
                                    base_revision=0)
            except services.ServiceError:
                pass
        if number == 1:
            services.argued_save(player=rus, turn_number=1, action="Offer a joint fisheries patrol",
                                 intended="Japan-Russia tension falls", reasons=["Fishers want calm"],
                                 nearest_action="E5", target="JPN", base_revision=0)
            services.card_pick(player=jpn, turn_number=1, argued_team_code="RUS", probability=30)
            services.message_post(player=jpn, kind="bilateral", recipient_codes=["RUS"], body=SECRET_MESSAGE)
            services.message_post(player=chn, kind="public", recipient_codes=[], body="China calls for calm.")
        services.message_post(player=rus, kind="bilateral", recipient_codes=["JPN"], body=f"Turn {number} hello")
        overrides = ()
        if number == 1:
            overrides = ({"event_id": "t1:order:JPN:M2", "kind": "scale", "value": 1.5, "reason": "Pedagogy",
                          "note": WHITE_NOTE},)
        _resolve_publish(exercise, number, overrides=overrides)
        exercise.refresh_from_db()
        if exercise.status == Exercise.Status.ENDED:
            break
    return {"JPN": jpn, "RUS": rus, "CHN": chn}


@pytest.fixture
def played(exercise):
    play(exercise)
    exercise.refresh_from_db()
    return exercise


def _published_dt(exercise):
    """ΔT(JPN,RUS) per published turn, from the stored states: what the room was shown."""
    out = {}
    for turn in exercise.turns.filter(status=Turn.Status.PUBLISHED).order_by("number"):
        before = turn.state_before["dyads"]["JPN-RUS"]["T"]
        out[turn.number] = turn.result["state"]["dyads"]["JPN-RUS"]["T"] - before
    return out


def test_the_thesis_parts_add_up_to_each_published_change_in_japan_russia_tension(played):
    data = selectors.debrief_view(exercise=played)
    published = _published_dt(played)
    assert [r["number"] for r in data["thesis"]] == [1, 2, 3]
    spill = 0.0
    for row in data["thesis"]:
        p = row["parts"]
        total = p["direct"] + p["spillover"] + p["incident"] + p["events"] + p["drift"]
        assert math.isclose(total, published[row["number"]], abs_tol=1e-9), row
        assert math.isclose(row["published"], published[row["number"]], abs_tol=1e-12)
        assert row["exact"]
        spill += p["spillover"]
    assert spill > 0  # buildups aimed at China spilled onto Japan–Russia: the thesis shows
    cumulative = sum(published.values())
    assert math.isclose(data["thesis"][-1]["cumulative"], cumulative, abs_tol=1e-9)
    # the moves behind turn 1's spillover are Japan's patrols and Russia's deterrent patrol
    moves = {m["id"] for m in data["thesis"][0]["moves"] if m["part"] == "spillover"}
    assert "t1:order:JPN:M2" in moves


def test_white_page_has_every_chart_with_title_desc_and_table(played, white_client):
    response = white_client.get(f"/f/{played.pk}/debrief/")
    assert response.status_code == 200
    html = response.content.decode()
    ids = ["chart-tension", "chart-institutions", "chart-thesis", "chart-comm-tension", "chart-comm-severity",
           "chart-alignment", "chart-navies", "chart-incidents", "chart-peak-rung", "chart-rung2", "chart-action-mix",
           "chart-said-ordered", "chart-support", "chart-rp", "chart-argued", "chart-overrides", "chart-perception",
           "chart-objectives"]
    for cid in ids:
        assert f'id="{cid}"' in html, cid
        assert f'<title id="{cid}-title">' in html and f'<desc id="{cid}-desc">' in html, cid
        assert f'aria-labelledby="{cid}-title {cid}-desc"' in html, cid
        assert f'data-testid="data-{cid}"' in html, cid  # the data table behind it
    assert html.count('role="img"') >= len(ids)
    assert "style=" not in re.sub(r"<link[^>]*>", "", html.split("<main", 1)[1])  # CSP: no inline styles
    # each thesis bar links to the moves behind it
    for n in (1, 2, 3):
        assert f'href="#moves-t{n}"' in html and f'id="moves-t{n}"' in html
    # White sees the release form, its own note and every part
    assert 'data-testid="release-panel"' in html and WHITE_NOTE in html
    for name in PART_NAMES:
        assert f'id="part-{name}"' in html or name == "timeline"
    assert 'id="timeline"' in html


def test_release_withdraw_and_who_may_read_the_public_version(played, white_client, facilitator):
    code = played.join_code
    jpn = Client()
    join(jpn, played, "Kenji", "JPN")
    # a player of another exercise, an observer, a stranger
    other = services.exercise_create(scenario_slug="northern-territories", name="Other", facilitator=facilitator,
                                     seed=3)
    outsider = Client()
    join(outsider, other, "Olga", "RUS")
    stranger = Client()
    observer = Client()

    for c in (jpn, outsider, stranger):
        assert c.get(f"/x/{code}/debrief/").status_code == 404  # not released yet
    assert observer.get(f"/o/{played.observer_code}/debrief/").status_code == 404
    assert white_client.get(f"/x/{code}/debrief/").status_code == 404  # not released: no public version yet

    response = white_client.post(f"/f/{played.pk}/debrief/release/",
                                 {"action": "release", "parts": ["thesis", "tension", "timeline", "bogus"]})
    assert response.status_code == 302
    played.refresh_from_db()
    assert played.debrief_released_at is not None
    assert played.debrief_parts == ["tension", "thesis", "timeline"]  # page order, unknown dropped

    page = jpn.get(f"/x/{code}/debrief/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="chart-thesis"' in html and 'id="chart-tension"' in html
    for hidden in ("chart-navies", "chart-argued", "chart-perception", "chart-objectives", "release-panel"):
        assert hidden not in html, hidden
    assert SECRET_MESSAGE not in html and "Turn 1 hello" not in html  # message text never, counts only
    assert WHITE_NOTE not in html
    assert "messages" in html  # the counts are there
    for team_code in ("JPN", "RUS", "CHN"):  # no team's private narrative
        narrative = played.turns.get(number=1).result["narratives"].get(team_code, "")
        if len(narrative) > 40:
            assert narrative[:40] not in html
    assert observer.get(f"/o/{played.observer_code}/debrief/").status_code == 200
    assert outsider.get(f"/x/{code}/debrief/").status_code == 404
    assert stranger.get(f"/x/{code}/debrief/").status_code == 404
    assert outsider.get(f"/x/{other.join_code}/debrief/").status_code == 404  # their own, not released

    # the dashboard links to it once released
    dash = jpn.get(f"/x/{code}/t/JPN/").content.decode()
    assert f"/x/{code}/debrief/" in dash

    response = white_client.post(f"/f/{played.pk}/debrief/release/", {"action": "withdraw"})
    assert response.status_code == 302
    played.refresh_from_db()
    assert played.debrief_released_at is None and played.debrief_parts == ["tension", "thesis", "timeline"]
    assert jpn.get(f"/x/{code}/debrief/").status_code == 404
    assert observer.get(f"/o/{played.observer_code}/debrief/").status_code == 404


def test_release_refusals_and_gates(exercise, played, white_client, jpn_client, other_facilitator):
    with pytest.raises(services.ServiceError):
        services.debrief_release(exercise=played, by="white", parts=[])
    with pytest.raises(services.ServiceError):
        services.debrief_withdraw(exercise=played, by="white")
    response = white_client.post(f"/f/{played.pk}/debrief/release/", {"action": "release"}, follow=True)
    assert response.status_code == 200
    assert "Choose at least one part" in response.content.decode()
    # a player cannot release; another facilitator cannot see White's page
    assert jpn_client.post(f"/f/{played.pk}/debrief/release/", {"parts": ["thesis"]}).status_code in (302, 403, 404)
    played.refresh_from_db()
    assert played.debrief_released_at is None
    grey = Client()
    grey.force_login(other_facilitator)
    assert grey.get(f"/f/{played.pk}/debrief/").status_code == 404
    assert white_client.get(f"/f/{played.pk}/debrief/release/").status_code == 405


def test_release_needs_a_published_turn(exercise, white_client):
    with pytest.raises(services.ServiceError, match="Publish a turn"):
        services.debrief_release(exercise=exercise, by="white", parts=["thesis"])
    response = white_client.get(f"/f/{exercise.pk}/debrief/")
    assert response.status_code == 200
    assert "Nothing to review yet" in response.content.decode()


def test_white_filters_the_timeline(played, white_client):
    everything = white_client.get(f"/f/{played.pk}/debrief/").content.decode()
    only_rus = white_client.get(f"/f/{played.pk}/debrief/?team=RUS").content.decode()
    only_t2 = white_client.get(f"/f/{played.pk}/debrief/?turn=2").content.decode()
    both = white_client.get(f"/f/{played.pk}/debrief/?team=JPN&turn=1").content.decode()
    bad = white_client.get(f"/f/{played.pk}/debrief/?team=<x>&turn=99")
    assert bad.status_code == 200

    def items(html):
        timeline = html.split('data-testid="timeline"', 1)[1]
        return re.findall(r'<li class="tl-item [^"]*" data-group="([^"]+)" data-teams="([^"]*)"', timeline)

    def turns(html):
        timeline = html.split('data-testid="timeline"', 1)[1]
        return re.findall(r'<li class="timeline-turn" data-turn="(\d+)"', timeline)

    assert len(items(everything)) > len(items(only_rus)) > 0
    assert all("RUS" in teams.split() for _g, teams in items(only_rus))
    assert turns(only_t2) == ["2"] and turns(everything) == ["1", "2", "3"]
    assert turns(both) == ["1"] and all("JPN" in t.split() for _g, t in items(both))
    groups = {g for g, _t in items(everything)}
    assert {"inject", "order", "messages", "white"} <= groups
    assert len(items(bad.content.decode())) == len(items(everything))  # unknown filters are ignored


def test_the_console_links_to_the_debrief_once_a_turn_is_published(exercise, white_client):
    assert f"/f/{exercise.pk}/debrief/" not in white_client.get(f"/f/{exercise.pk}/").content.decode()
    play(exercise, turns=1)
    assert f"/f/{exercise.pk}/debrief/" in white_client.get(f"/f/{exercise.pk}/").content.decode()


ALL_TEAMS = [t.code for t in __import__("wargame.scenarios", fromlist=["load_scenario"]).load_scenario(
    "northern-territories").teams]


def _game(facilitator, codes, turns=2):
    """Every team orders, argues and talks each turn; ``turns`` turns published."""
    exercise = services.exercise_create(scenario_slug="northern-territories", name=f"Budget {len(codes)}",
                                        facilitator=facilitator, seed=7, team_codes=codes)
    players = [_player(exercise, f"P-{c}", c) for c in codes]
    for number in range(1, turns + 1):
        for k, player in enumerate(players):
            other = codes[(k + 1) % len(codes)]
            for slot, action in enumerate(("M9", "M12"), start=1):
                for target in ("", other):
                    try:
                        services.order_save(player=player, turn_number=number, slot=slot, action=action,
                                            target=target, base_revision=0)
                        break
                    except services.ServiceError:
                        continue
            services.argued_save(player=player, turn_number=number, action=f"{player.team.code} argues",
                                 intended="calm", reasons=["r"], nearest_action="D7", target=other, base_revision=0)
            services.message_post(player=player, kind="bilateral", recipient_codes=[other], body="Talk?")
            services.message_post(player=player, kind="public", recipient_codes=[], body="To all")
        _resolve_publish(exercise, number)
        exercise.refresh_from_db()
    return exercise


def test_the_white_debrief_costs_the_same_queries_with_3_and_5_teams(facilitator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for size in (3, len(ALL_TEAMS)):
        exercise = _game(facilitator, ALL_TEAMS[:size])
        white = Client()
        white.force_login(facilitator)
        white.get(f"/f/{exercise.pk}/debrief/")  # warm the session and the scenario cache
        with CaptureQueriesContext(connection) as ctx:
            response = white.get(f"/f/{exercise.pk}/debrief/?team={ALL_TEAMS[0]}")
        assert response.status_code == 200
        assert 'id="chart-thesis"' in response.content.decode()
        counts[size] = len(ctx.captured_queries)
    assert counts[3] == counts[len(ALL_TEAMS)], counts
    assert counts[3] <= 14, counts  # the session, the user, the exercise, its teams and five reads
