"""White's forecast: starting and cancelling it, its chunks (run here directly, as the worker would), its card
on the console, and that no player, observer or other facilitator ever sees it."""

import pytest
from django.test import Client

from wargame.exercises import services
from wargame.exercises.models import Exercise, Forecast
from wargame.exercises.services.forecast import CHUNK_RUNS

from ..conftest import join

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(exercise):
    for name, code, action in (("Aiko", "JPN", "M2"), ("Boris", "RUS", "M4")):
        player = services.player_join(exercise=exercise, display_name=name, session_key=f"s-{name}")
        player = services.player_choose_team(player=player, team_code=code)
        services.order_save(player=player, turn_number=1, slot=1, action=action)
    services.turn_lock(exercise=exercise, by="white")
    services.turn_resolve(turn_id=exercise.turns.get(number=1).pk)
    exercise.refresh_from_db()
    return exercise


def run_all(forecast, order=None):
    for index in order or range(forecast.chunks):
        services.forecast_chunk_run(forecast_id=forecast.pk, index=index, worker=f"w{index % 2}")
    forecast.refresh_from_db()
    return forecast


def test_a_forecast_starts_from_the_proposed_result_with_the_turns_orders(in_review):
    turn = in_review.turns.get(number=1)
    version = Exercise.objects.get(pk=in_review.pk).version
    f = services.forecast_start(exercise=in_review, by="white", turns=2, runs=CHUNK_RUNS * 2 + 50)
    assert (f.number, f.from_turn, f.turns, f.chunks, f.status) == (1, 1, 2, 3, "running")  # the last one short
    assert f.params["state"] == turn.result["state"] and f.params["proposed"] is True
    assert f.params["orders"] == {"JPN": ["M2"], "RUS": ["M4"]}
    assert f.params["dyads"] == ["JPN-RUS", "CHN-JPN"]
    assert Exercise.objects.get(pk=in_review.pk).version == version  # the exercise is not changed
    with pytest.raises(services.ServiceError):  # one at a time
        services.forecast_start(exercise=in_review, by="white")
    services.forecast_cancel(exercise=in_review, by="white", forecast_id=f.pk)
    f.refresh_from_db()
    assert f.status == "cancelled"
    assert services.forecast_chunk_run(forecast_id=f.pk, index=0) is False  # a cancelled forecast runs nothing
    f.refresh_from_db()
    assert f.chunks_done == 0 and not f.chunk_rows.exists()
    with pytest.raises(services.ServiceError):
        services.forecast_cancel(exercise=in_review, by="white", forecast_id=f.pk)
    assert services.forecast_start(exercise=in_review, by="white").number == 2


def test_a_team_run_by_a_bot_plays_its_policy_in_the_forecast_not_its_orders(in_review, facilitator):
    """China's seat is empty and handed to a hawk: the forecast records the bot, leaves out any orders China's
    row holds, and its figures differ from the same forecast with China's seat left quiet."""
    quiet = run_all(services.forecast_start(exercise=in_review, by="white", turns=2, runs=200))
    Forecast.objects.filter(pk=quiet.pk).delete()
    services.bot_assign(exercise=in_review, by="white", team_code="CHN", policy="hawk")
    f = services.forecast_start(exercise=in_review, by="white", turns=2, runs=200)
    assert f.params["bots"] == {"CHN": "hawk"} and "CHN" not in f.params["orders"]
    f = run_all(f)
    assert f.status == "done" and f.result["dyads"]["CHN-JPN"] != quiet.result["dyads"]["CHN-JPN"]
    white = Client()
    white.force_login(facilitator)
    page = white.get(f"/f/{in_review.pk}/forecast/panel/").content.decode()
    assert 'data-testid="forecast-bots"' in page and "CHN (hawk)" in page


@pytest.mark.parametrize("kwargs", [{"turns": 0}, {"turns": 5}, {"runs": 10}, {"runs": "many"}, {"dyads": ["XXX-YYY"]}])
def test_a_forecast_refuses_what_it_cannot_run(exercise, kwargs):
    with pytest.raises(services.ServiceError):
        services.forecast_start(exercise=exercise, by="white", **kwargs)
    assert not Forecast.objects.exists()


def test_chunks_are_idempotent_and_the_last_one_merges(in_review):
    f = services.forecast_start(exercise=in_review, by="white", turns=2, runs=CHUNK_RUNS * 3)
    assert services.forecast_chunk_run(forecast_id=f.pk, index=1, worker="a") is True
    assert services.forecast_chunk_run(forecast_id=f.pk, index=1, worker="b") is False  # redelivered: no double count
    f.refresh_from_db()
    assert f.chunks_done == 1 and f.result is None
    assert list(f.chunk_rows.values_list("index", "worker")) == [(1, "a")]
    f = run_all(f, order=[2, 0, 1])
    assert f.status == "done" and f.chunks_done == 3 and f.finished
    assert f.result["runs"] == CHUNK_RUNS * 3 and set(f.result["charted"]) == {"JPN-RUS", "CHN-JPN"}


def test_the_same_forecast_reruns_to_the_same_figures(in_review):
    f = run_all(services.forecast_start(exercise=in_review, by="white", turns=2, runs=CHUNK_RUNS * 2))
    params = f.params
    Forecast.objects.filter(pk=f.pk).delete()
    g = services.forecast_start(exercise=in_review, by="white", turns=2, runs=CHUNK_RUNS * 2)
    assert g.number == 1 and g.params == params
    assert run_all(g, order=[1, 0]).result == f.result


def test_beat_requeues_the_chunks_of_a_stalled_forecast(in_review):
    from datetime import timedelta

    from django.utils import timezone
    f = services.forecast_start(exercise=in_review, by="white", runs=CHUNK_RUNS * 2)
    services.forecast_chunk_run(forecast_id=f.pk, index=0)
    assert services.forecasts_requeue() == []  # it just moved
    later = timezone.now() + timedelta(minutes=1)
    assert services.forecasts_requeue(now=later) == [f.pk]
    assert services.forecasts_requeue(now=later + timedelta(seconds=1)) == []  # throttled
    f.refresh_from_db()
    assert f.params["requeued_at"]


def test_the_console_shows_the_card_its_progress_and_the_fan_chart(in_review, facilitator):
    white = Client()
    white.force_login(facilitator)
    page = white.get(f"/f/{in_review.pk}/").content.decode()
    assert 'id="console-forecast"' in page and "sse:forecast_changed" in page and 'data-testid="forecast-start"' in page
    r = white.post(f"/f/{in_review.pk}/forecast/", {"turns": "2", "runs": str(CHUNK_RUNS * 3), "dyads": ["JPN-RUS"]},
                   HTTP_HX_REQUEST="true", HTTP_HX_TARGET="console-forecast")
    assert r.status_code == 200
    body = r.content.decode()
    assert body.lstrip().startswith('<section id="console-forecast"') and "<progress" in body
    f = Forecast.objects.get()
    services.forecast_chunk_run(forecast_id=f.pk, index=0)
    body = white.get(f"/f/{in_review.pk}/forecast/panel/", HTTP_HX_REQUEST="true").content.decode()
    assert 'value="1"' in body and 'max="3"' in body
    run_all(f)
    body = white.get(f"/f/{in_review.pk}/forecast/panel/", HTTP_HX_REQUEST="true").content.decode()
    assert "<progress" not in body and 'class="chart chart-fan"' in body and "Forecast of tension JPN–RUS" in body
    assert 'data-testid="forecast-chances"' in body and "Median" in body
    assert "CHN–JPN" not in body.split('data-testid="forecast-chances"')[0]  # only the chosen dyad is charted
    page = white.get(f"/f/{in_review.pk}/").content.decode()  # the card then asks for itself
    assert 'hx-trigger="load, sse:forecast_changed, refresh"' in page
    assert 'class="chart chart-fan"' in white.get(f"/f/{in_review.pk}/forecast/panel/").content.decode()


def test_cancel_over_http(in_review, facilitator):
    white = Client()
    white.force_login(facilitator)
    f = services.forecast_start(exercise=in_review, by="white")
    r = white.post(f"/f/{in_review.pk}/forecast/{f.pk}/cancel/")
    assert r.status_code == 302
    f.refresh_from_db()
    assert f.status == "cancelled"
    assert 'data-testid="forecast-cancelled"' in white.get(f"/f/{in_review.pk}/forecast/panel/").content.decode()


def test_no_player_observer_plenary_or_other_facilitator_sees_a_forecast(in_review, other_facilitator, facilitator):
    f = run_all(services.forecast_start(exercise=in_review, by="white", turns=2, runs=200))
    assert f.status == "done"
    Exercise.objects.filter(pk=in_review.pk).update(observers_see_console=True)
    jpn = Client()
    join(jpn, in_review, "Chie", "JPN")
    pages = [jpn.get(f"/x/{in_review.join_code}/t/JPN/"), jpn.get(f"/x/{in_review.join_code}/t/JPN/panels/"),
             Client().get(f"/x/{in_review.join_code}/plenary/"), Client().get(f"/o/{in_review.observer_code}/"),
             Client().get(f"/o/{in_review.observer_code}/?view=console")]
    for r in pages:
        assert r.status_code == 200, r.request
        text = r.content.decode().lower()
        assert "forecast" not in text, r.request
    grey = Client()
    grey.force_login(other_facilitator)
    assert grey.get(f"/f/{in_review.pk}/forecast/panel/").status_code == 404
    assert grey.post(f"/f/{in_review.pk}/forecast/{f.pk}/cancel/").status_code == 404
    assert grey.post(f"/f/{in_review.pk}/forecast/", {"dyads": ["JPN-RUS"]}).status_code == 404
    assert Forecast.objects.count() == 1
