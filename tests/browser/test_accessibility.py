"""Accessibility: axe-core finds no serious or critical violations, and the dashboard works by keyboard.

axe-core is vendored in tests/browser/vendor (see the README there); nothing is fetched at test time.
The app's CSP allows scripts only from 'self' or with a nonce, so an inline <script> (what
`add_script_tag(content=...)`/`(path=...)` produce) is refused. Instead the page loads axe from a
same-origin URL that Playwright answers from the vendored file: the pages are checked with their
real CSP in force, exactly as users get them, and no test needs `bypass_csp`.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from wargame.exercises import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_URL = "/__test__/axe.min.js"  # never served by the app; Playwright fulfils it from the vendored file
BLOCKING = ("serious", "critical")
MAX_TABS_TO_FIRST_ORDER = 30


def inject_axe(page):
    if not getattr(page.context, "_axe_routed", False):
        page.context.route(f"**{AXE_URL}", lambda route: route.fulfill(path=AXE_JS, content_type="text/javascript"))
        page.context._axe_routed = True
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    assert page.evaluate("() => typeof window.axe?.run === 'function'"), "axe-core did not load"


def axe_violations(page):
    inject_axe(page)
    return page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")


def describe(violations):
    lines = []
    for v in violations:
        targets = [" ".join(map(str, n["target"])) for n in v["nodes"][:3]]
        lines.append(f"  - {v['id']} [{v['impact']}] {v['help']} ({len(v['nodes'])} nodes): {targets}")
    return "\n".join(lines)


def _luminance(colour):
    h = colour.lstrip("#")
    h = "".join(c * 2 for c in h) if len(h) == 3 else h
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
           for c in (int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a, b):
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


SVG_PILLS = """() => Array.from(document.querySelectorAll('svg g.marker, svg g.legend-team')).map(g => ({
  team: g.dataset.team, estimated: g.classList.contains('estimated'),
  text: g.querySelector('text').getAttribute('fill'), rect: g.querySelector('rect').getAttribute('fill')}))"""


def svg_pill_contrast(page):
    """axe cannot work out SVG text contrast (it reports it as 'incomplete'), so check the map's team pills here."""
    bad = []
    for p in page.evaluate(SVG_PILLS):
        background = "#ffffff" if p["estimated"] else p["rect"]  # estimated pills: tinted text on white
        ratio = contrast(p["text"], background)
        if ratio < 4.5:
            bad.append({"id": "svg-pill-contrast", "impact": "serious",
                        "help": f"{p['team']} map pill text {p['text']} on {background} is {ratio:.2f}:1, below 4.5:1",
                        "nodes": [{"target": [f"g[data-team={p['team']}]"]}]})
    return bad


class AxeAudit:
    """Runs axe on several pages and reports every blocking violation at once, not just the first page's."""

    def __init__(self):
        self.blocking = {}
        self.checked = []

    def check(self, page, label):
        page.wait_for_load_state("load")
        # Open every <details> (catalogue, overrides, briefings) so what they hide is checked too.
        page.evaluate("() => document.querySelectorAll('details:not([open])').forEach(d => { d.open = true; })")
        found = [v for v in axe_violations(page) if v["impact"] in BLOCKING] + svg_pill_contrast(page)
        self.checked.append(label)
        if found:
            self.blocking[label] = found
            print(f"axe: {label} ({page.url}): {len(found)} serious/critical\n{describe(found)}")

    def assert_clean(self):
        report = "\n".join(f"{label}:\n{describe(found)}" for label, found in self.blocking.items())
        assert not self.blocking, f"serious/critical axe violations on {len(self.blocking)} page(s):\n{report}"
        assert self.checked


def sign_in_white(page):
    page.get_by_label("Username").fill("white")
    page.get_by_label("Password").fill("white-cell-pass")
    page.get_by_role("button", name="Sign in").click()


def wait_live(page):
    expect(page.locator("#live-pill")).to_have_attribute("data-live-state", "live")


@pytest.fixture
def exercise(facilitator):
    return services.exercise_create(scenario_slug="northern-territories", name="Accessibility seminar",
                                    facilitator=facilitator, seed=1)


def test_axe_finds_no_serious_or_critical_violations(new_page, exercise):
    code = exercise.join_code
    audit = AxeAudit()

    player = new_page()
    player.goto("/")
    audit.check(player, "join page")
    player.get_by_label("Join code").fill(code)
    player.get_by_label("Your display name").fill("Aiko")
    player.get_by_role("button", name="Join").click()
    expect(player.get_by_role("button", name="Join Japan")).to_be_visible()
    audit.check(player, "team choice")
    player.get_by_role("button", name="Join Japan").click()
    expect(player).to_have_url(re.compile(rf"/x/{code}/t/JPN/$"))
    wait_live(player)
    audit.check(player, "team dashboard")

    player.locator("#action-1").select_option("M2")
    player.locator("#order-forms form").first.get_by_role("button", name="Save order").click()
    expect(player.locator("#order-forms")).to_contain_text("Saved")
    audit.check(player, "team dashboard, order saved")

    messages = new_page()
    messages.goto("/")
    messages.get_by_label("Join code").fill(code)
    messages.get_by_label("Your display name").fill("Ren")
    messages.get_by_role("button", name="Join").click()
    messages.get_by_role("button", name="Join Japan").click()
    wait_live(messages)
    messages.goto(f"/x/{code}/t/JPN/messages/")
    audit.check(messages, "team messages")

    white = new_page(1440, 900)
    white.goto("/facilitator/login/")
    audit.check(white, "facilitator sign-in")
    sign_in_white(white)
    white.goto(f"/f/{exercise.pk}/")
    expect(white.get_by_test_id("join-code")).to_have_text(code)
    wait_live(white)
    audit.check(white, "facilitator console, turn open")

    plenary = new_page(1920, 1080)
    plenary.goto(f"/x/{code}/plenary/")
    wait_live(plenary)
    audit.check(plenary, "plenary, turn open")

    # Review time: the console has the most forms (draws, overrides, effects) now.
    white.get_by_role("button", name="Lock turn now").click()
    expect(white.get_by_role("button", name="Publish results")).to_be_visible(timeout=20000)
    audit.check(white, "facilitator console, review")
    audit.check(player, "team dashboard, turn locked")

    white.get_by_role("button", name="Publish results").click()
    expect(player.get_by_test_id("narrative")).to_be_visible(timeout=10000)
    audit.check(player, "team dashboard, results published")
    expect(plenary.get_by_test_id("headlines")).to_be_visible(timeout=10000)
    audit.check(plenary, "plenary, results published")
    audit.check(white, "facilitator console, next turn")

    audit.assert_clean()


FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {id: el.id, tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || '').trim().slice(0, 60),
          outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0,
          inMain: !!el.closest('main'), visible: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0};
}"""


def test_dashboard_works_by_keyboard_alone(new_page, exercise):
    page = new_page()
    page.goto(f"/?code={exercise.join_code}")
    page.get_by_label("Your display name").fill("Aiko")
    page.keyboard.press("Enter")  # submits the join form
    page.get_by_role("button", name="Join Japan").focus()
    page.keyboard.press("Enter")
    wait_live(page)
    page.evaluate("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }")

    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED)
    assert first and first["text"] == "Skip to content", f"the first Tab stop is {first}, not the skip link"
    assert first["visible"], "the skip link stays off-screen when focused"

    page.keyboard.press("Enter")  # follow the skip link: the next Tab lands inside <main>
    page.keyboard.press("Tab")
    after_skip = page.evaluate(FOCUSED)
    assert after_skip and after_skip["inMain"], f"after 'Skip to content', Tab went to {after_skip}"

    stops = [first, after_skip]
    while stops[-1]["id"] != "action-1":
        assert len(stops) < MAX_TABS_TO_FIRST_ORDER, (
            f"the first order's Action select is not reached within {MAX_TABS_TO_FIRST_ORDER} Tab presses: "
            f"{[(s['tag'], s['id'] or s['text']) for s in stops]}")
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUSED))
        assert stops[-1], "focus fell out of the page"
    no_outline = [s for s in stops if s["outlineStyle"] == "none" or s["outlineWidth"] == 0]
    assert not no_outline, f"focused elements with no visible outline: {no_outline}"

    # Choose an action and a target, and save the order, with the keyboard only.
    page.keyboard.press("ArrowDown")
    chosen = page.locator("#action-1").input_value()
    assert chosen, "ArrowDown on the focused Action select chose nothing"
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["id"] == "target-1"
    page.keyboard.press("ArrowDown")
    assert page.locator("#target-1").input_value(), "ArrowDown on the focused target select chose nothing"
    for _ in range(2):  # Note, Save order
        page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["text"] == "Save order"
    page.keyboard.press("Enter")
    expect(page.locator("#order-forms")).to_contain_text("Saved")
    expect(page.locator("#orders-summary")).to_contain_text(chosen)
