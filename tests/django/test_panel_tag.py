"""The panel header said once ({% panel %}), the plenary's clock from the turn-clock partial, and app.js's
words coming from the page."""

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import Client

from wargame.exercises import services

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def render(source, **context):
    return Template("{% load panels %}" + source).render(Context(context)).strip()


def test_a_pushed_panel_is_only_marked():
    assert render("{% panel %}") == "data-panel"


def test_a_polled_panel_fetches_itself_by_its_pages_url():
    assert render('{% panel "sse:orders_changed, refresh" every="20s" settle=True %}',
                  panel_url="/f/1/?team=JPN&x=1") == (
        'data-panel hx-get="/f/1/?team=JPN&amp;x=1" hx-target="this" hx-swap="outerHTML settle:0ms" '
        'hx-sync="this:replace" hx-trigger="sse:orders_changed, refresh, every 20s"')


def test_a_panel_listening_for_a_misspelt_doorbell_is_refused():
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError, match="sse:order_changed"):
        render('{% panel "sse:order_changed, refresh" %}')


def test_a_panel_with_its_own_url_and_no_sync_and_out_of_band():
    assert render('{% panel "load" url=u sync=False %}', u="/badge/", oob=True, panel_url="/page/") == (
        'data-panel hx-get="/badge/" hx-target="this" hx-swap="outerHTML" hx-trigger="load" hx-swap-oob="true"')


def test_the_trigger_is_escaped():
    assert 'hx-trigger="&quot;&gt;"' in render("{% panel t %}", t='">')


def test_every_panel_on_the_pages_uses_the_tag():
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        assert "data-panel" not in text, f"{path}: write {{% panel %}} instead"


def test_the_console_polls_a_locked_turn_every_five_seconds(white_client, exercise):
    def poll():
        html = white_client.get(f"/f/{exercise.pk}/").content.decode()
        return re.search(r'<section id="console-turn"[^>]*hx-trigger="[^"]*every (\d+s)"', html).group(1)

    assert poll() == "30s"
    services.turn_lock(exercise=exercise, by="white")
    assert poll() == "5s"


def test_the_plenary_clock_is_the_turn_clock(exercise):
    services.turn_set_deadline(turn=exercise.turns.get(number=1), minutes=10, by="white")
    html = Client().get(f"/x/{exercise.join_code}/plenary/").content.decode()
    turn = re.search(r'<section id="plenary-turn".*?</section>', html, re.S).group(0)
    assert 'class="turn-line"' in turn and 'data-testid="turn-status"' in turn
    assert re.search(r'<span class="clock" data-seconds-left="(59\d|600)"', turn)


def test_the_live_labels_are_the_pages_words_not_app_js(jpn_client, exercise):
    html = jpn_client.get(f"/x/{exercise.join_code}/t/JPN/").content.decode()
    pill = re.search(r'<span class="live-pill" id="live-pill"[^>]*>', html).group(0)
    for label, words in (("live", "Live"), ("reconnecting", "Reconnecting"), ("seat-changed", "Seat changed")):
        assert f'data-label-{label}="{words}"' in pill
    assert "data-refused-text=" in html
    js = (ROOT / "static" / "js" / "app.js").read_text()
    for words in ('"Live"', '"Reconnecting"', '"Seat changed"', "could not be saved"):
        assert words not in js
