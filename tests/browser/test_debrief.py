"""The after-action review in real browsers: three turns played, White opens the debrief, the thesis chart's
parts add up to each published ΔT(JPN,RUS), a bar leads to the moves behind it, White releases the public
version, a player of the exercise reads it and a player of another exercise gets a 404. Screenshots of the
page at 1920×1080 and of the printed report (Chromium's PDF, as PNG pages)."""

import io
import math
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from playwright.sync_api import expect

from wargame.exercises import services
from wargame.exercises.models import Exercise, Player, Turn

from ..conftest import wait_for
from .people import join_as, sign_in_white

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _player(exercise, name, code):
    p = services.player_join(exercise=exercise, display_name=name, session_key=f"s-{exercise.pk}-{name}")
    return services.player_choose_team(player=p, team_code=code)


def _play_three_turns(exercise, jpn):
    rus, chn = _player(exercise, "Boris", "RUS"), _player(exercise, "Chen", "CHN")
    plan = {1: ((jpn, "M2", ""), (rus, "M4", ""), (chn, "M7", "soya")),
            2: ((jpn, "M1", "CHN"), (rus, "M1", "CHN"), (chn, "M5", "JPN")),
            3: ((jpn, "D7", "RUS"), (rus, "M4", ""), (chn, "M7", "tsugaru"))}
    for number, orders in plan.items():
        for player, action, target in orders:
            try:
                services.order_save(player=player, turn_number=number, slot=1, action=action, target=target,
                                    base_revision=0)
            except services.ServiceError:
                pass  # an order this state refuses: the turn goes on without it
        if number == 1:
            services.argued_save(player=rus, turn_number=1, action="Offer a joint fisheries patrol",
                                 intended="Japan-Russia tension falls", reasons=["Fishers want calm"],
                                 nearest_action="E5", target="JPN", base_revision=0)
        services.message_post(player=rus, kind="bilateral", recipient_codes=["JPN"], body=f"Talk, turn {number}?")
        services.turn_lock(exercise=exercise, by="white")
        turn = exercise.turns.get(number=number)
        wait_for(lambda: Turn.objects.get(pk=turn.pk).status == Turn.Status.REVIEW, timeout=20,
                 message=f"the worker to resolve turn {number}")
        services.turn_publish(exercise=exercise, by="white")
        exercise.refresh_from_db()
        if exercise.status == Exercise.Status.ENDED:
            break


def _published_dt(exercise):
    return {t.number: t.result["state"]["dyads"]["JPN-RUS"]["T"] - t.state_before["dyads"]["JPN-RUS"]["T"]
            for t in exercise.turns.filter(status=Turn.Status.PUBLISHED)}


def test_white_reads_the_debrief_releases_it_and_only_this_exercise_players_see_it(new_page, facilitator):
    exercise = services.exercise_create(scenario_slug="northern-territories", name="Hot-wash seminar",
                                        facilitator=facilitator, seed=5)
    player_page = new_page(1366, 768)
    join_as(player_page, exercise.join_code, "Aiko", "Japan")
    jpn = Player.objects.get(exercise=exercise, display_name="Aiko")
    _play_three_turns(exercise, jpn)
    published = _published_dt(exercise)
    assert sorted(published) == [1, 2, 3]

    # Before release: the player gets a 404 and the dashboard has no link
    assert player_page.goto(f"/x/{exercise.join_code}/debrief/").status == 404

    white = new_page(1920, 1080)
    sign_in_white(white)
    white.goto(f"/f/{exercise.pk}/")
    white.get_by_test_id("debrief-link").click()
    expect(white.get_by_role("heading", name="Why Japan–Russia tension moved")).to_be_visible()
    thesis = white.locator("#chart-thesis")
    expect(thesis).to_have_attribute("role", "img")
    expect(white.locator("#chart-thesis-title")).to_have_text("Why Japan–Russia tension moved, turn by turn")

    # The thesis chart's parts add up to each turn's ΔT(JPN,RUS) as published
    for number, dt in published.items():
        row = white.locator(f"#moves-t{number}")
        values = [float(v) for v in row.locator("[data-part]").evaluate_all(
            "els => els.map(e => e.dataset.value)")]
        assert len(values) == 5
        total = values[0] + values[1] + values[2] + values[3] + values[4]
        assert math.isclose(total, dt, abs_tol=1e-9), (number, values, dt)
        assert math.isclose(float(row.get_attribute("data-published")), dt, abs_tol=1e-12)
        # and the bar's own label says the same, to one decimal
        label = thesis.locator(f'a[data-bar="{number - 1}"] > title').text_content()
        shown = re.search(r"ΔT ([−\-]?\d+(?:\.\d)?)", label).group(1).replace("−", "-")
        assert float(shown) == pytest.approx(round(dt, 1), abs=0.051)

    # Clicking a bar lists the moves behind it (no script: a link to the turn's list)
    thesis.locator('a[data-bar="1"]').click()
    expect(white).to_have_url(re.compile(r"#moves-t2$"))
    target = white.locator("#moves-t2")
    expect(target).to_be_in_viewport()
    assert white.evaluate("document.querySelector(':target').id") == "moves-t2"

    white.goto(f"/f/{exercise.pk}/debrief/")
    expect(white.locator("#chart-tension")).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    white.screenshot(path=str(SHOTS / "debrief-1920x1080.png"))

    # Release the public version with every part
    expect(white.get_by_test_id("release-state")).to_have_text("not released")
    white.get_by_test_id("release").click()
    expect(white.get_by_test_id("release-state")).to_have_text("released")
    exercise.refresh_from_db()
    assert exercise.debrief_released_at is not None and "thesis" in exercise.debrief_parts

    # The player of this exercise finds it from the dashboard
    player_page.goto(f"/x/{exercise.join_code}/t/JPN/")
    player_page.get_by_test_id("debrief-link").click()
    expect(player_page).to_have_url(re.compile(rf"/x/{exercise.join_code}/debrief/$"))
    expect(player_page.locator("#chart-thesis")).to_be_visible()
    expect(player_page.get_by_test_id("release-panel")).to_have_count(0)

    # A player of another exercise gets a 404
    other = services.exercise_create(scenario_slug="northern-territories", name="Another seminar",
                                     facilitator=facilitator, seed=9)
    outsider = new_page(1366, 768)
    join_as(outsider, other.join_code, "Olga", "Russia")
    assert outsider.goto(f"/x/{exercise.join_code}/debrief/").status == 404

    # The printed report: Chromium's PDF, A4 (and Letter), then PNG pages
    white.goto(f"/f/{exercise.pk}/debrief/")
    white.emulate_media(media="print")
    expect(white.locator(".print-cover")).to_be_visible()
    expect(white.locator(".topbar")).to_be_hidden()
    expect(white.get_by_test_id("release-panel")).to_be_hidden()
    a4 = white.pdf(format="A4", print_background=True)
    letter = white.pdf(format="Letter", print_background=True)
    doc = pdfium.PdfDocument(io.BytesIO(a4))
    letter_doc = pdfium.PdfDocument(io.BytesIO(letter))
    assert len(doc) >= 4 and len(letter_doc) >= 4  # a cover page, then the parts
    cover = doc[0].get_textpage().get_text_range()
    assert "Hot-wash seminar" in cover and "Japan (JPN)" in cover
    assert "AFTER-ACTION REVIEW" in cover.upper()
    width, height = doc[0].get_size()
    assert abs(width - 595.3) < 1.5 and abs(height - 841.9) < 1.5  # A4 in points
    lw, lh = letter_doc[0].get_size()
    assert abs(lw - 612) < 1.5 and abs(lh - 792) < 1.5  # Letter
    for old in SHOTS.glob("debrief-print-*.png"):
        old.unlink()
    for i in range(len(doc)):
        doc[i].render(scale=1.5).to_pil().save(SHOTS / f"debrief-print-{i + 1}.png")
    assert (SHOTS / "debrief-print-1.png").exists()
    doc.close()
    letter_doc.close()
