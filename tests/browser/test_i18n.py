"""The player's seat and White's console in Japanese and in Russian at 1366×768: the language is picked with
the selector, the page says so in <html lang>, its words come from the catalogue and the scenario's prose
file, and nothing spills out of its box (Russian runs long). Screenshots: docs/screenshots/i18n-*.png."""
import re
from pathlib import Path

import pytest
from django.utils import translation
from playwright.sync_api import expect

from wargame.exercises import services
from wargame.scenarios import load_scenario

from ..django.test_i18n import compiled_messages  # noqa: F401 (fixture: the .mo files, fresh)
from .people import join_as, sign_in_white

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"
NT = "northern-territories"

# What a squeezed or overflowing layout looks like: the page scrolls sideways, or a button, a link in the
# top bar or a nav, a table header, a chip, a pill or a card holds more than its box shows, or leaves the window.
OVERFLOW_JS = """() => {
  const out = [];
  const root = document.scrollingElement;
  if (root.scrollWidth > window.innerWidth) out.push(`page scrolls sideways: ${root.scrollWidth} > ${window.innerWidth}`);
  const picks = "button, .btn, .topbar a, nav a, th, .chip, [class*='chip-'], .team-chip, .pill, .live-pill, .msg-badge, .code-badge, .card, .panel, .meter-row dt";
  for (const el of document.querySelectorAll(picks)) {
    if (!el.getClientRects().length || getComputedStyle(el).visibility === "hidden") continue;
    if (el.closest(".table-scroll, details:not([open])")) continue;
    const r = el.getBoundingClientRect();
    const name = `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${[...el.classList].join(".")} "${el.textContent.trim().slice(0, 40)}"`;
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== "auto") out.push(`${name}: content ${el.scrollWidth} > box ${el.clientWidth}`);
    if (r.right > window.innerWidth + 1 || r.left < -1) out.push(`${name}: outside the window (${Math.round(r.left)}–${Math.round(r.right)})`);
    // A card wider than its column spills under the next one (a grid item grows to its content's min width).
    const parent = el.parentElement && el.parentElement.getBoundingClientRect();
    if (el.matches(".card, .panel") && parent && r.right > parent.right + 1)
      out.push(`${name}: wider than its column (${Math.round(r.right)} > ${Math.round(parent.right)})`);
  }
  return out;
}"""


def pick_language(page, lang):
    """Use the selector as a person would: choose, and the page comes back in that language, same place."""
    path = re.sub(r"^https?://[^/]+", "", page.url)
    page.locator("#lang-select").select_option(lang)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert re.sub(r"^https?://[^/]+", "", page.url) == path
    expect(page.locator("#lang-select")).to_have_value(lang)


def assert_words(page, lang, checks):
    """Each (selector, English msgid): the element reads the catalogue's translation, and not the English."""
    untranslated = []
    for selector, msgid in checks:
        with translation.override(lang):
            want = translation.gettext(msgid)
        expect(page.locator(selector).first).to_have_text(re.compile(rf"^\s*{re.escape(want)}"))
        if want == msgid:
            untranslated.append(msgid)
    assert not untranslated, f"{lang}: still English (the catalogue lacks them): {untranslated}"


def assert_fits(page, what):
    problems = page.evaluate(OVERFLOW_JS)
    assert not problems, f"{what}: " + "; ".join(problems[:12])


@pytest.mark.parametrize("lang", ["ja", "ru"])
def test_the_seat_and_the_console_in_each_language(new_page, facilitator, lang):
    exercise = services.exercise_create(scenario_slug=NT, name="Seminar i18n", facilitator=facilitator, seed=3)
    code = exercise.join_code
    spec = load_scenario(NT, lang=lang)

    # The player's seat.
    player = new_page()
    join_as(player, code, "Aiko", "Japan")
    pick_language(player, lang)
    expect(player.locator("#live-pill")).to_have_attribute("data-live-state", "live")
    # The scenario's words come from its prose file in this language (English where it has none).
    objective = next(o for o in spec.objectives if o.id == "JPN1").text.split("[")[0].strip()[:40]
    expect(player.locator("#team-objectives")).to_contain_text(objective)
    # The team's shared panels, refreshed live, stay in this language.
    player.locator("#team-objectives").evaluate("el => htmx.trigger(el, 'refresh')")
    expect(player.locator("#team-objectives")).to_contain_text(objective)
    player.screenshot(path=str(SHOTS / f"i18n-{lang}-dashboard.png"), full_page=False)
    assert_fits(player, f"{lang} dashboard")
    assert_words(player, lang, [("#team-objectives h2", "Objectives"), ("#turn-injects h2", "This turn's news"),
                                (".skip-link", "Skip to content")])

    # White's console.
    white = new_page()
    sign_in_white(white)
    white.goto(f"/f/{exercise.pk}/")
    expect(white.get_by_test_id("lock")).to_be_visible()
    pick_language(white, lang)
    expect(white.get_by_test_id("lock")).to_be_visible()
    white.screenshot(path=str(SHOTS / f"i18n-{lang}-console.png"), full_page=False)
    assert_fits(white, f"{lang} console")
    assert_words(white, lang, [("#console-teams h2", "Teams"), ("[data-testid=lock]", "Lock turn now"),
                               ("#console-injects h2", "Injects (MSEL)")])
