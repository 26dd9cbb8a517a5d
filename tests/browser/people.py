"""What a facilitator and a player do in a browser before the part a test is about."""

from playwright.sync_api import expect


def sign_in_white(page):
    page.goto("/facilitator/login/")
    page.get_by_label("Username").fill("white")
    page.get_by_label("Password").fill("white-cell-pass")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your exercises")).to_be_visible()


def join_as(page, code, name, team_name):
    page.goto(f"/?code={code}")
    page.get_by_label("Your display name").fill(name)
    page.get_by_role("button", name="Join").click()
    page.get_by_role("button", name=f"Join {team_name}").click()
    expect(page.locator("#turn-status")).to_be_visible()
    expect(page.locator("#live-pill")).to_have_attribute("data-live-state", "live")
