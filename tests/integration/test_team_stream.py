"""A team's stream on real parts: it pushes the panels a doorbell changed, only to that team, and it
ends the moment a player's seat goes."""

import re
import threading
from importlib import import_module

import httpx
import pytest
from django.conf import settings

from wargame.exercises import services
from wargame.exercises.views.player import CSRF_PLACEHOLDER, PUSHED_PANEL_EVENTS
from wargame.exercises.views.team_stream import CLOCK_PLACEHOLDER

from ..conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PANEL_IDS = re.compile(r'<(?:section|p) hx-swap-oob="true" [^>]*?id="([a-z-]+)"')


class TeamStream:
    """Reads one browser's team stream in a thread: every SSE message as (event, data), multi-line data joined."""

    def __init__(self, url, cookies):
        self.url, self.cookies = url, cookies
        self.messages, self.status, self.ended = [], None, threading.Event()
        self.opened = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        try:
            with httpx.stream("GET", self.url, cookies=self.cookies, timeout=httpx.Timeout(5, read=30)) as response:
                self.status = response.status_code
                if response.status_code != 200:
                    return
                name, data = None, []
                for line in response.iter_lines():
                    if line.startswith("event:"):
                        name = line.split(":", 1)[1].strip()
                    elif line.startswith("data:"):
                        data.append(line[len("data: "):] if line.startswith("data: ") else line[5:])
                    elif line == "" and name:
                        self.messages.append((name, "\n".join(data)))
                        if name == "hello":
                            self.opened.set()
                        name, data = None, []
        except httpx.HTTPError:
            pass  # the server went away at the end of the run; what was read is kept
        finally:
            self.ended.set()
            self.opened.set()

    def named(self, event):
        return [data for name, data in self.messages if name == event]

    def panels(self):
        """Each pushed `panels` message as {panel id: its HTML}."""
        out = []
        for data in self.named("panels"):
            ids = PANEL_IDS.findall(data)
            chunks = re.split(r'(?=<(?:section|p) hx-swap-oob="true" )', data)
            out.append(dict(zip(ids, [c for c in chunks if c.strip()])))
        return out


def seat(exercise, name, team_code):
    """A browser seated on a team: its session cookie, as the join view would leave it."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store.create()
    player = services.player_join(exercise=exercise, display_name=name, session_key=store.session_key)
    player = services.player_choose_team(player=player, team_code=team_code)
    store["players"] = {str(exercise.pk): player.pk}
    store.save()
    return player, {settings.SESSION_COOKIE_NAME: store.session_key}


@pytest.fixture
def room(live_stack, facilitator):
    exercise = services.exercise_create(scenario_slug="northern-territories", name="Pushed", facilitator=facilitator,
                                        seed=11)
    return exercise


def open_stream(live_stack, exercise, team, cookies):
    stream = TeamStream(f"{live_stack.url}/x/{exercise.join_code}/t/{team}/events/", cookies)
    assert stream.opened.wait(10)
    return stream


def test_a_publish_pushes_every_changed_panel_to_each_teammate_as_their_own_refresh_would_show_it(
        live_stack, room):
    aiko, aiko_cookies = seat(room, "Aiko", "JPN")
    _, ken_cookies = seat(room, "Ken", "JPN")
    streams = [open_stream(live_stack, room, "JPN", c) for c in (aiko_cookies, ken_cookies)]
    assert all(s.status == 200 and s.named("hello") for s in streams)
    services.turn_lock(exercise=room, by="white")
    wait_for(lambda: room.turns.get(number=1).status == "review", timeout=20, message="the turn resolved")
    services.turn_publish(exercise=room, by="white")
    wait_for(lambda: all(any("last-result" in p for p in s.panels()) for s in streams), timeout=10,
             message="the published turn's panels on both streams")
    expected = [name for name, kinds in PUSHED_PANEL_EVENTS.items() if "turn_published" in kinds]
    for stream, cookies in zip(streams, (aiko_cookies, ken_cookies)):
        pushed = next(p for p in stream.panels() if "last-result" in p)
        assert list(pushed) == expected  # everything the publish changed, and not the reader's unread count
        text = "".join(pushed.values())
        assert CSRF_PLACEHOLDER not in text and CLOCK_PLACEHOLDER not in text
        # The forms post with this browser's own token: the one its cookie gets from a page.
        page = httpx.get(f"{live_stack.url}/x/{room.join_code}/t/JPN/", cookies=cookies)
        assert page.status_code == 200
        # Each team panel is exactly what this browser's own refresh returns.
        asked = httpx.get(f"{live_stack.url}/x/{room.join_code}/t/JPN/panels/?event=turn_published",
                          cookies=cookies).text
        for name in ("team-state", "team-map", "last-result", "team-objectives", "orders-summary", "proposals"):
            mine = re.search(rf'<section hx-swap-oob="true" id="{name}".*?(?=<(?:section|p) hx-swap-oob|\Z)',
                             asked, re.S).group(0)
            assert pushed[name].strip() == mine.strip(), name
        # The badge is left as the reader has it (hx-preserve), never someone else's count.
        assert '<p id="unread-badge" class="msg-badge" hx-preserve></p>' in pushed["turn-status"]
    # Every doorbell still follows its panels, so the page knows the version it is at.
    assert "turn_published" in [name for name, _ in streams[0].messages]


def test_teammates_get_one_rendering_of_the_forms_each_with_its_own_token(live_stack, room):
    aiko, aiko_cookies = seat(room, "Aiko", "JPN")
    _, ken_cookies = seat(room, "Ken", "JPN")
    aiko_stream, ken_stream = (open_stream(live_stack, room, "JPN", c) for c in (aiko_cookies, ken_cookies))
    services.order_save(player=aiko, turn_number=1, slot=1, action="M2", target="", note="hold", base_revision=0)
    wait_for(lambda: aiko_stream.panels() and ken_stream.panels(), timeout=10, message="the order on both streams")
    aiko_forms, ken_forms = aiko_stream.panels()[-1]["order-forms"], ken_stream.panels()[-1]["order-forms"]
    assert "M2" in ken_stream.panels()[-1]["orders-summary"]  # the teammate sees the order itself
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    assert token.findall(aiko_forms) and token.findall(ken_forms)
    assert set(token.findall(aiko_forms)).isdisjoint(token.findall(ken_forms))
    assert token.sub("", aiko_forms) == token.sub("", ken_forms)  # one rendering for the team
    # "Saved by you" names its saver and starts hidden: each page shows it only if it is its own player.
    note = re.search(r'<p [^>]*data-saved-by="(\d+)"[^>]*>', aiko_forms)
    assert note and int(note.group(1)) == aiko.pk and " hidden" in note.group(0)


def test_another_team_never_gets_a_teams_stream(live_stack, room):
    _, rus_cookies = seat(room, "Boris", "RUS")
    for cookies in (rus_cookies, {}):
        stream = TeamStream(f"{live_stack.url}/x/{room.join_code}/t/JPN/events/", cookies)
        assert stream.ended.wait(10)
        assert stream.status == 404 and not stream.messages


def test_a_russian_order_pushes_nothing_of_it_to_japan(live_stack, room):
    _, jpn_cookies = seat(room, "Aiko", "JPN")
    boris, _ = seat(room, "Boris", "RUS")
    jpn = open_stream(live_stack, room, "JPN", jpn_cookies)
    services.order_save(player=boris, turn_number=1, slot=1, action="M4", target="", note="SECRET-RUS-NOTE",
                        base_revision=0)
    wait_for(lambda: jpn.named("changed"), timeout=10, message="Japan's doorbell after Russia's order")
    # Russia's own orders change none of Japan's panels: Japan hears only that the version moved.
    assert not jpn.panels() and not jpn.named("orders_changed")
    assert "SECRET-RUS-NOTE" not in "".join(data for _, data in jpn.messages)


@pytest.mark.parametrize("how", ["moved", "removed"])
def test_a_player_who_loses_the_seat_loses_the_stream_at_once(live_stack, room, how):
    aiko, cookies = seat(room, "Aiko", "JPN")
    stream = open_stream(live_stack, room, "JPN", cookies)
    if how == "moved":
        services.player_choose_team(player=aiko, team_code="RUS", by_facilitator="white")
    else:
        services.player_remove(player=aiko, by="white")
    assert stream.ended.wait(10), "the stream stayed open after the seat went"
    names = [name for name, _ in stream.messages]
    assert names[-1] == "seat_lost" and "panels" not in names
    # Any later push is out of its reach: opening the stream again is refused.
    again = TeamStream(f"{live_stack.url}/x/{room.join_code}/t/JPN/events/", cookies)
    assert again.ended.wait(10) and again.status in (403, 404)


def test_a_message_rings_only_the_teams_that_can_read_it_and_no_stream_says_who_it_was_for(live_stack, room):
    import json

    from wargame.exercises.models import Message

    from .test_live_loop import SSEListener

    cookies = {code: seat(room, f"P{code}", code)[1] for code in ("JPN", "RUS", "CHN")}
    streams = {code: open_stream(live_stack, room, code, c) for code, c in cookies.items()}
    public = SSEListener(f"{live_stack.url}/x/{room.join_code}/events/")
    try:
        services.message_send(exercise=room, sender_team=room.teams.get(code="JPN"), sender_name="PJPN",
                              kind=Message.Kind.BILATERAL, recipient_codes=["RUS"], body="Just us two.",
                              turn_number=1)
        wait_for(lambda: streams["JPN"].named("message_sent") and streams["RUS"].named("message_sent")
                 and streams["CHN"].named("changed") and "message_sent" in public.kinds(), timeout=10,
                 message="the message's doorbell on every stream")
        assert not streams["CHN"].named("message_sent")  # China's pages have nothing to ask for
        version = json.loads(streams["JPN"].named("message_sent")[0])["version"]
        assert json.loads(streams["CHN"].named("changed")[0])["version"] == version  # but it is at that version
        for stream in streams.values():
            for _, data in stream.messages:
                assert "audience" not in data
            for data in stream.named("message_sent") + stream.named("changed"):
                assert set(json.loads(data)) == {"exercise", "kind", "version", "sent"}
        for _, payload in public.events[1:]:
            assert set(payload) == {"exercise", "kind", "version", "sent"}
    finally:
        public.close()


def test_a_proposal_reaches_the_team_it_is_made_to_and_leaves_it_when_withdrawn(live_stack, room):
    aiko, _ = seat(room, "Aiko", "JPN")
    _, rus_cookies = seat(room, "Boris", "RUS")
    _, chn_cookies = seat(room, "Chen", "CHN")
    rus, chn = open_stream(live_stack, room, "RUS", rus_cookies), open_stream(live_stack, room, "CHN", chn_cookies)
    services.order_save(player=aiko, turn_number=1, slot=1, action="D2", target="RUS", base_revision=0)
    wait_for(lambda: rus.panels(), timeout=10, message="Russia's panels after Japan's proposal")
    assert "JPN" in rus.panels()[-1]["proposals"] and "D2" in rus.panels()[-1]["proposals"]
    services.order_save(player=aiko, turn_number=1, slot=1, action="D2", target="CHN", base_revision=1)
    wait_for(lambda: len(rus.panels()) == 2 and chn.panels(), timeout=10, message="the proposal moving to China")
    assert "D2" not in rus.panels()[-1]["proposals"] and "D2" in chn.panels()[-1]["proposals"]
