"""Negotiation: bilateral, group and public messages, White's broadcasts and log, unread counts.

The seminar has three teams (Japan, Russia, China). Each test drives the real views the way a
browser would, and asserts what each person's page shows.
"""

import re

import pytest
from django.conf import settings
from django.test import Client

from wargame.exercises import services
from wargame.exercises.models import Event, Exercise, Message, Team, ThreadRead

from ..conftest import join

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def chn_client(exercise):
    c = Client()
    join(c, exercise, "Chen", "CHN")
    return c


def url(exercise, team, thread=None, suffix=""):
    base = f"/x/{exercise.join_code}/t/{team}/messages/{suffix}"
    return f"{base}?thread={thread}" if thread else base


def send(client, exercise, team, thread, body, htmx=False):
    return client.post(url(exercise, team, suffix="send/"), {"thread": thread, "body": body},
                       headers={**HTMX, "HX-Target": "message-compose"} if htmx else {})


def page(client, exercise, team, thread=None):
    r = client.get(url(exercise, team, thread))
    assert r.status_code == 200, r.status_code
    return r.content.decode()


def message_classes(html):
    return re.findall(r'<li class="([^"]*)" id="message-\d+">', html)


def unread(client, exercise, team):
    html = client.get(url(exercise, team, suffix="unread/"), headers={**HTMX, "HX-Target": "unread-badge"})
    m = re.search(r'data-testid="unread-total">(\d+)<', html.content.decode())
    return int(m.group(1)) if m else 0


# ---- who sees what ----

def test_bilateral_reaches_both_parties_and_no_one_else(jpn_client, rus_client, chn_client, exercise):
    r = send(jpn_client, exercise, "JPN", "JPN-RUS", "Fishing rights for a ferry line?")
    assert r.status_code == 302 and r["Location"] == url(exercise, "JPN", "JPN-RUS")
    m = Message.objects.get()
    assert (m.kind, m.thread, m.sender_team.code, m.sender_name) == ("bilateral", "JPN-RUS", "JPN", "Aiko")
    assert [t.code for t in m.recipients.all()] == ["RUS"]
    assert "Fishing rights for a ferry line?" in page(jpn_client, exercise, "JPN", "JPN-RUS")
    assert "Fishing rights for a ferry line?" in page(rus_client, exercise, "RUS", "JPN-RUS")
    # China's list and every thread it may open show nothing of it.
    for thread in (None, "public", "white", "CHN-JPN", "CHN-RUS"):
        assert "Fishing rights" not in page(chn_client, exercise, "CHN", thread)
    assert chn_client.get(url(exercise, "CHN", "JPN-RUS")).status_code == 404


def test_thread_list_has_one_row_per_counterpart(jpn_client, exercise):
    html = page(jpn_client, exercise, "JPN")
    rows = re.findall(r'data-thread="([^"]+)"', html)
    assert rows == ["white", "public", "JPN-RUS", "CHN-JPN"]  # counterparts in the scenario's team order
    assert 'id="thread-list"' in html and 'id="thread-view"' in html and "Choose a conversation" in html


def test_group_message_reaches_only_the_group(jpn_client, rus_client, chn_client, exercise):
    Team.objects.create(exercise=exercise, code="USA", name="United States")
    usa = Client()
    join(usa, exercise, "Uma", "USA")
    r = jpn_client.post(url(exercise, "JPN", suffix="group/"), {"to_RUS": "RUS", "to_CHN": "CHN",
                                                                 "body": "Three-way talks at noon"})
    assert r.status_code == 302 and r["Location"] == url(exercise, "JPN", "group%3ACHN-JPN-RUS")
    m = Message.objects.get()
    assert m.kind == "group" and m.thread == "group:CHN-JPN-RUS"
    assert sorted(t.code for t in m.recipients.all()) == ["CHN", "RUS"]
    for client, team in ((jpn_client, "JPN"), (rus_client, "RUS"), (chn_client, "CHN")):
        assert 'data-thread="group:CHN-JPN-RUS"' in page(client, exercise, team)
        assert "Three-way talks at noon" in page(client, exercise, team, "group:CHN-JPN-RUS")
    assert "group:" not in page(usa, exercise, "USA")
    assert usa.get(url(exercise, "USA", "group:CHN-JPN-RUS")).status_code == 404
    # Russia answers inside the thread: the same group, the same thread.
    send(rus_client, exercise, "RUS", "group:CHN-JPN-RUS", "Agreed")
    reply = Message.objects.get(body="Agreed")
    assert reply.thread == "group:CHN-JPN-RUS" and sorted(t.code for t in reply.recipients.all()) == ["CHN", "JPN"]


def test_group_of_one_team_is_bilateral(jpn_client, exercise):
    r = jpn_client.post(url(exercise, "JPN", suffix="group/"), {"to_CHN": "CHN", "body": "Just us"},
                        headers=HTMX)
    assert r.status_code == 200 and r["HX-Redirect"] == url(exercise, "JPN", "CHN-JPN")
    assert Message.objects.get().kind == "bilateral"


def test_public_message_is_seen_by_every_team_and_white(jpn_client, rus_client, chn_client, white_client,
                                                        exercise):
    send(chn_client, exercise, "CHN", "public", "China proposes a joint patrol code.")
    m = Message.objects.get()
    assert m.kind == "public" and sorted(t.code for t in m.recipients.all()) == ["CHN", "JPN", "RUS"]
    for client, team in ((jpn_client, "JPN"), (rus_client, "RUS"), (chn_client, "CHN"), (white_client, "JPN")):
        assert "China proposes a joint patrol code." in page(client, exercise, team, "public")
    assert "China proposes a joint patrol code." in white_client.get(f"/f/{exercise.pk}/messages/").content.decode()


def test_a_team_cannot_open_or_post_to_a_thread_it_is_not_party_to(jpn_client, chn_client, exercise):
    send(jpn_client, exercise, "JPN", "JPN-RUS", "private")
    for thread in ("JPN-RUS", "group:JPN-RUS", "group:CHN-JPN-RUS-XYZ", "RUS-JPN", "CHN-CHN", "CHN-XYZ", "nonsense"):
        assert chn_client.get(url(exercise, "CHN", thread)).status_code == 404, thread
    assert chn_client.get(url(exercise, "CHN", "JPN-RUS"), headers={**HTMX, "HX-Target": "thread-view"}
                          ).status_code == 404
    assert send(chn_client, exercise, "CHN", "JPN-RUS", "let me in").status_code == 404
    assert Message.objects.count() == 1


# ---- unread counts ----

def test_unread_count_increments_and_resets_when_the_thread_is_opened(jpn_client, rus_client, exercise):
    assert unread(rus_client, exercise, "RUS") == 0
    send(jpn_client, exercise, "JPN", "JPN-RUS", "one")
    send(jpn_client, exercise, "JPN", "JPN-RUS", "two")
    assert unread(rus_client, exercise, "RUS") == 2
    assert 'data-testid="unread-JPN-RUS">2<' in page(rus_client, exercise, "RUS")
    assert unread(jpn_client, exercise, "JPN") == 0  # what your own team sends is never unread
    html = page(rus_client, exercise, "RUS", "JPN-RUS")
    assert message_classes(html) == ["msg msg-new", "msg msg-new"]  # shown as new on the opening render
    assert 'data-testid="unread-JPN-RUS"' not in html
    assert unread(rus_client, exercise, "RUS") == 0
    assert ThreadRead.objects.get(player__display_name="Boris").last_message_id == Message.objects.last().pk
    send(jpn_client, exercise, "JPN", "JPN-RUS", "three")
    assert unread(rus_client, exercise, "RUS") == 1
    assert message_classes(page(rus_client, exercise, "RUS", "JPN-RUS")) == ["msg", "msg", "msg msg-new"]


def test_unread_counts_are_per_player(jpn_client, rus_client, exercise):
    boris2 = Client()
    join(boris2, exercise, "Bella", "RUS")
    send(jpn_client, exercise, "JPN", "JPN-RUS", "hello")
    page(rus_client, exercise, "RUS", "JPN-RUS")
    assert unread(rus_client, exercise, "RUS") == 0
    assert unread(boris2, exercise, "RUS") == 1


def test_refreshing_an_open_thread_writes_nothing_new(jpn_client, rus_client, exercise, django_assert_max_num_queries):
    send(jpn_client, exercise, "JPN", "JPN-RUS", "hello")
    page(rus_client, exercise, "RUS", "JPN-RUS")
    before = list(ThreadRead.objects.values_list("pk", "last_message_id"))
    r = rus_client.get(url(exercise, "RUS", "JPN-RUS"), headers={**HTMX, "HX-Target": "thread-view"})
    assert r.status_code == 200 and r.content.decode().lstrip().startswith('<section id="thread-view"')
    assert list(ThreadRead.objects.values_list("pk", "last_message_id")) == before
    with django_assert_max_num_queries(12):
        rus_client.get(url(exercise, "RUS", "JPN-RUS"), headers={**HTMX, "HX-Target": "thread-list"})


def test_dashboard_links_to_messages_with_a_live_badge(jpn_client, rus_client, exercise):
    html = jpn_client.get(f"/x/{exercise.join_code}/t/JPN/").content.decode()
    badge = re.search(r'<p id="unread-badge"[^>]*>', html).group(0)
    assert "hx-trigger" not in badge  # the page renders the count itself; the refresher brings new counts
    refresher = re.search(r"<div hidden data-live-refresh[^>]*>", html, re.S).group(0)
    assert "sse:message_sent" in refresher and f'hx-get="/x/{exercise.join_code}/t/JPN/panels/"' in refresher
    assert f'href="/x/{exercise.join_code}/t/JPN/messages/"' in html
    send(rus_client, exercise, "RUS", "JPN-RUS", "knock knock")
    assert 'data-testid="unread-total">1<' in jpn_client.get(f"/x/{exercise.join_code}/t/JPN/").content.decode()
    fragment = jpn_client.get(url(exercise, "JPN", suffix="unread/"), headers=HTMX).content.decode()
    assert 'hx-trigger="load"' not in fragment  # it would fetch itself forever
    assert 'data-testid="unread-total">1<' in fragment


# ---- live panels and drafts ----

def test_panels_listen_for_the_doorbell_on_a_stable_url(jpn_client, exercise):
    html = page(jpn_client, exercise, "JPN", "JPN-RUS")
    assert f'sse-connect="/x/{exercise.join_code}/events/"' in html
    for panel in ("thread-list", "thread-view"):
        tag = re.search(rf'<\w+ id="{panel}"[^>]*>', html).group(0)
        assert f'hx-get="/x/{exercise.join_code}/t/JPN/messages/?thread=JPN-RUS"' in tag
        assert 'hx-trigger="sse:message_sent, refresh, every 30s"' in tag and "data-panel" in tag
    form = re.search(r'<form[^>]*messages/send/[^>]*>', html).group(0)
    assert f'data-draft-key="msg:{exercise.pk}:JPN:JPN-RUS"' in form and "data-draft-saved" not in form


def test_sending_rings_the_doorbell_and_clears_the_draft(jpn_client, exercise, django_capture_on_commit_callbacks):
    version = Exercise.objects.get(pk=exercise.pk).version
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        r = send(jpn_client, exercise, "JPN", "JPN-RUS", "Shall we talk?", htmx=True)
    assert r.status_code == 200 and callbacks
    assert Exercise.objects.get(pk=exercise.pk).version == version + 1
    assert Event.objects.filter(kind="message_sent", actor="Aiko").exists()
    html = r.content.decode()
    assert html.lstrip().startswith('<section id="message-compose"')
    assert "data-draft-saved" in html and 'data-testid="compose-sent"' in html
    # The sender's thread and list update at once, without waiting for the doorbell.
    assert re.search(r'<section id="thread-view"[^>]*hx-swap-oob="true"', html)
    assert re.search(r'<nav id="thread-list"[^>]*hx-swap-oob="true"', html)
    assert "Shall we talk?" in html


def test_a_plain_form_send_clears_the_draft_on_the_next_page_only(jpn_client, exercise):
    r = send(jpn_client, exercise, "JPN", "JPN-RUS", "no javascript here")
    assert r.status_code == 302
    assert "data-draft-saved" in page(jpn_client, exercise, "JPN", "JPN-RUS")
    assert "data-draft-saved" not in page(jpn_client, exercise, "JPN", "JPN-RUS")


# ---- bad input ----

@pytest.mark.parametrize("htmx,status", [(True, 200), (False, 400)])
def test_empty_message_is_refused_with_a_message(jpn_client, exercise, htmx, status):
    r = send(jpn_client, exercise, "JPN", "JPN-RUS", "   \n ", htmx=htmx)
    assert r.status_code == status
    assert 'data-testid="compose-error"' in r.content.decode() and "cannot be empty" in r.content.decode()
    assert not Message.objects.exists()


@pytest.mark.parametrize("htmx,status", [(True, 200), (False, 400)])
def test_oversized_message_is_refused_and_the_text_kept(jpn_client, exercise, htmx, status):
    body = "A carefully argued proposal. " + "x" * settings.MESSAGE_MAX_CHARS
    r = send(jpn_client, exercise, "JPN", "JPN-RUS", body, htmx=htmx)
    assert r.status_code == status
    html = r.content.decode()
    assert f"at most {settings.MESSAGE_MAX_CHARS} characters" in html
    assert body in html  # nothing typed is lost
    assert "data-draft-saved" not in html
    assert not Message.objects.exists()


def test_a_message_of_exactly_the_limit_is_accepted(jpn_client, exercise):
    send(jpn_client, exercise, "JPN", "public", "y" * settings.MESSAGE_MAX_CHARS)
    assert Message.objects.count() == 1


def test_html_in_a_message_is_shown_as_text(jpn_client, rus_client, white_client, exercise):
    send(jpn_client, exercise, "JPN", "JPN-RUS", "<script>alert(1)</script> <b>bold</b>")
    for html in (page(rus_client, exercise, "RUS", "JPN-RUS"), page(rus_client, exercise, "RUS"),
                 white_client.get(f"/f/{exercise.pk}/messages/").content.decode()):
        assert "<script>alert(1)</script>" not in html and "<b>bold</b>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_team_outside_the_exercise_is_refused(jpn_client, exercise):
    r = jpn_client.post(url(exercise, "JPN", suffix="group/"), {"to_RUS": "RUS", "to_XYZ": "XYZ", "body": "hi"},
                        headers={**HTMX, "HX-Target": "group-compose"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "XYZ is not a team in this exercise" in html and 'data-testid="group-error"' in html
    assert "hi</textarea>" in html and 'name="to_RUS" value="RUS" checked' in html
    r = jpn_client.post(url(exercise, "JPN", suffix="group/"), {"to": ["XYZ"], "body": "hi"})
    assert r.status_code == 400 and "XYZ is not a team in this exercise" in r.content.decode()
    assert not Message.objects.exists()


def test_a_group_needs_a_recipient_and_never_includes_the_sender(jpn_client, exercise):
    r = jpn_client.post(url(exercise, "JPN", suffix="group/"), {"body": "to whom?"})
    assert r.status_code == 400 and "Choose at least one team" in r.content.decode()
    r = jpn_client.post(url(exercise, "JPN", suffix="group/"), {"to_JPN": "JPN", "to_RUS": "RUS", "body": "x"})
    assert r.status_code == 400 and "Your own team" in r.content.decode()
    assert not Message.objects.exists()


def test_only_white_writes_in_the_white_thread(jpn_client, exercise):
    html = page(jpn_client, exercise, "JPN", "white")
    assert 'hx-post="/x/%s/t/JPN/messages/send/"' % exercise.join_code not in html
    r = send(jpn_client, exercise, "JPN", "white", "can I?", htmx=True)
    assert "Only White writes in this thread." in r.content.decode()
    assert not Message.objects.exists()


def test_an_ended_exercise_closes_negotiation(jpn_client, exercise):
    Exercise.objects.filter(pk=exercise.pk).update(status=Exercise.Status.ENDED)
    assert "negotiation is closed" in page(jpn_client, exercise, "JPN", "JPN-RUS")
    r = send(jpn_client, exercise, "JPN", "JPN-RUS", "late", htmx=True)
    assert "negotiation is closed" in r.content.decode() and not Message.objects.exists()


# ---- White ----

def test_white_reads_a_team_read_only(white_client, jpn_client, rus_client, exercise):
    send(rus_client, exercise, "RUS", "JPN-RUS", "for White's eyes too")
    html = page(white_client, exercise, "JPN", "JPN-RUS")
    assert "for White&#x27;s eyes too" in html and "read-only view" in html and "<textarea" not in html
    assert send(white_client, exercise, "JPN", "JPN-RUS", "as Japan").status_code == 403
    assert not ThreadRead.objects.filter(player__team__code="JPN").exists()  # White reading marks nothing read
    assert unread(jpn_client, exercise, "JPN") == 1


def test_white_sees_every_message_and_filters_by_team(white_client, jpn_client, rus_client, chn_client, exercise):
    send(jpn_client, exercise, "JPN", "JPN-RUS", "msg-jpn-rus")
    send(rus_client, exercise, "RUS", "CHN-RUS", "msg-rus-chn")
    send(chn_client, exercise, "CHN", "public", "msg-public")
    html = white_client.get(f"/f/{exercise.pk}/messages/").content.decode()
    for body in ("msg-jpn-rus", "msg-rus-chn", "msg-public"):
        assert body in html
    assert html.index("msg-public") < html.index("msg-jpn-rus")  # newest first
    jpn_only = white_client.get(f"/f/{exercise.pk}/messages/?team=JPN").content.decode()
    assert "msg-jpn-rus" in jpn_only and "msg-public" in jpn_only and "msg-rus-chn" not in jpn_only
    panel = white_client.get(f"/f/{exercise.pk}/messages/?team=JPN",
                             headers={**HTMX, "HX-Target": "console-messages"}).content.decode()
    assert panel.lstrip().startswith('<section id="console-messages"')
    assert f'hx-get="/f/{exercise.pk}/messages/?team=JPN"' in panel and "sse:message_sent" in panel
    assert "msg-rus-chn" not in panel
    # An unknown filter shows everything rather than nothing.
    assert "msg-rus-chn" in white_client.get(f"/f/{exercise.pk}/messages/?team=XYZ").content.decode()


def test_console_links_to_the_messages_page(white_client, exercise):
    html = white_client.get(f"/f/{exercise.pk}/").content.decode()
    assert f'href="/f/{exercise.pk}/messages/"' in html


def test_broadcast_to_chosen_teams_reaches_only_them(white_client, jpn_client, rus_client, chn_client, exercise):
    r = white_client.post(f"/f/{exercise.pk}/messages/broadcast/",
                          {"to_JPN": "JPN", "to_CHN": "CHN", "body": "Inject: a trawler is seized."},
                          headers={**HTMX, "HX-Target": "console-broadcast"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "data-draft-saved" in html and "Sent to Japan, China." in html
    assert re.search(r'<section id="console-messages"[^>]*hx-swap-oob="true"', html)
    m = Message.objects.get()
    assert (m.kind, m.thread, m.sender_team, m.sender_name) == ("broadcast", "white", None, "White")
    assert sorted(t.code for t in m.recipients.all()) == ["CHN", "JPN"]
    assert "a trawler is seized" in page(jpn_client, exercise, "JPN", "white")
    assert "a trawler is seized" in page(chn_client, exercise, "CHN", "white")
    assert "a trawler is seized" not in page(rus_client, exercise, "RUS", "white")
    assert unread(jpn_client, exercise, "JPN") == 0 and unread(chn_client, exercise, "CHN") == 0  # opened above
    assert unread(rus_client, exercise, "RUS") == 0


def test_broadcast_to_all_teams(white_client, jpn_client, rus_client, chn_client, exercise):
    r = white_client.post(f"/f/{exercise.pk}/messages/broadcast/",
                          {"to_JPN": "JPN", "to_RUS": "RUS", "to_CHN": "CHN", "body": "Ten minutes left."})
    assert r.status_code == 302
    assert sorted(t.code for t in Message.objects.get().recipients.all()) == ["CHN", "JPN", "RUS"]
    for client, team in ((jpn_client, "JPN"), (rus_client, "RUS"), (chn_client, "CHN")):
        assert unread(client, exercise, team) == 1
        assert "Ten minutes left." in page(client, exercise, team, "white")
    follow = white_client.get(f"/f/{exercise.pk}/messages/").content.decode()
    assert "Sent to Japan, Russia, China." in follow and "data-draft-saved" in follow


def test_broadcast_bad_input_keeps_the_text(white_client, exercise):
    r = white_client.post(f"/f/{exercise.pk}/messages/broadcast/", {"body": "nobody chosen"})
    assert r.status_code == 400 and "Choose at least one team" in r.content.decode()
    assert "nobody chosen</textarea>" in r.content.decode()
    r = white_client.post(f"/f/{exercise.pk}/messages/broadcast/", {"to_XYZ": "XYZ", "body": "ghost"},
                          headers={**HTMX, "HX-Target": "console-broadcast"})
    assert r.status_code == 200 and "XYZ is not a team in this exercise" in r.content.decode()
    r = white_client.post(f"/f/{exercise.pk}/messages/broadcast/", {"to_JPN": "JPN", "body": " "})
    assert r.status_code == 400 and "cannot be empty" in r.content.decode()
    assert not Message.objects.exists()


def test_message_posts_need_csrf(exercise):
    c = Client(enforce_csrf_checks=True)
    join_client = Client()
    join(join_client, exercise, "Aiko", "JPN")
    c.cookies = join_client.cookies
    assert c.post(url(exercise, "JPN", suffix="send/"), {"thread": "public", "body": "x"}).status_code == 403
    assert not Message.objects.exists()


def test_services_refuse_what_the_views_never_send(exercise, jpn_client):
    from wargame.exercises.models import Player

    aiko = Player.objects.get(display_name="Aiko")
    with pytest.raises(services.ServiceError):
        services.message_post(player=aiko, kind="broadcast", recipient_codes=[], body="I am White now")
    with pytest.raises(services.ServiceError):
        services.message_post(player=aiko, kind="bilateral", recipient_codes=["JPN"], body="to myself")
    services.thread_mark_read(player=aiko, thread="public", last_message_id=9)
    services.thread_mark_read(player=aiko, thread="public", last_message_id=3)  # never moves back
    assert ThreadRead.objects.get(player=aiko, thread="public").last_message_id == 9
