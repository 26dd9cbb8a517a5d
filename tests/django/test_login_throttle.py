"""Sign-in is throttled per client IP and per username, in Redis (Django's cache), for both login pages."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

LOGIN_PAGES = ["/facilitator/login/", "/admin/login/"]


@pytest.fixture
def limit(settings):
    settings.LOGIN_ATTEMPTS_PER_WINDOW = 3
    return 3


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user("umpire", password="umpire-pass", is_staff=True)


def post(client, page, username, password, ip="10.0.0.1"):
    return client.post(page, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_failed_sign_ins_from_one_ip_then_429_even_with_the_right_password(client, page, staff, limit):
    for n in range(limit):  # one computer trying many usernames
        assert post(client, page, f"guess-{n}", "wrong").status_code == 200
    response = post(client, page, "umpire", "umpire-pass")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert response["Retry-After"] == "300"
    assert "_auth_user_id" not in client.session
    # Another username from the same computer is refused too: the IP is counted.
    assert post(client, page, "someone-else", "x").status_code == 429
    # Another computer with the right password gets in: the username was not the one failing.
    assert post(Client(), page, "umpire", "umpire-pass", ip="10.0.0.2").status_code == 302


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_failed_sign_ins_for_one_username_from_many_ips_then_429(client, page, staff, limit):
    for n in range(limit):
        assert post(client, page, "Umpire", "wrong", ip=f"10.1.0.{n}").status_code == 200
    assert post(Client(), page, "umpire", "umpire-pass", ip="10.1.1.1").status_code == 429
    assert post(Client(), page, "other", "wrong", ip="10.1.1.2").status_code == 200  # others unaffected


def test_success_before_the_limit_signs_in_with_a_new_session_key_and_clears_the_username_count(
        client, facilitator, limit):
    for _ in range(limit - 1):
        post(client, "/facilitator/login/", "white", "wrong")
    before = client.session.session_key  # the test client saves a session and sets its cookie
    assert before and client.cookies["sessionid"].value == before
    response = post(client, "/facilitator/login/", "white", "white-cell-pass")
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == facilitator.pk
    assert client.session.session_key != before
    # The account's count started again; from a fresh computer, limit-1 more failures are still not locked out.
    for n in range(limit - 1):
        assert post(Client(), "/facilitator/login/", "white", "wrong", ip=f"10.2.0.{n}").status_code == 200
    assert post(Client(), "/facilitator/login/", "white", "white-cell-pass", ip="10.2.1.1").status_code == 302


def test_default_limit_comes_from_settings(client, facilitator, settings):
    assert settings.LOGIN_ATTEMPTS_PER_WINDOW == 5
    for _ in range(5):
        assert post(client, "/facilitator/login/", "white", "wrong").status_code == 200
    assert post(client, "/facilitator/login/", "white", "wrong").status_code == 429


def test_a_page_view_is_never_throttled(client, facilitator, limit):
    for _ in range(limit):
        post(client, "/facilitator/login/", "white", "wrong")
    assert client.get("/facilitator/login/").status_code == 200
