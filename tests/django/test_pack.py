"""The facilitator's pack: printable pages generated from the scenario files.

Expectations are computed from the rules here too (each inject's trigger turn → its quarter), so a changed
scenario changes what the test expects rather than breaking it."""

import re

import pytest
from django.test import Client
from django.utils.html import escape

from wargame import engine
from wargame.exercises.templatetags.words import CITATION
from wargame.scenarios import load_scenario, scenario_slugs

pytestmark = pytest.mark.django_db


@pytest.fixture
def white(facilitator):
    c = Client()
    c.force_login(facilitator)
    return c


def _page(client, slug, part=""):
    r = client.get(f"/facilitator/pack/{slug}/" + (f"?part={part}" if part else ""))
    assert r.status_code == 200, (slug, part, r.status_code)
    return r.content.decode()


def _section(html, css_class):
    start = html.index(f'class="pack-part {css_class}"')
    return html[start:html.index("</section>", start)]


@pytest.mark.parametrize("slug", scenario_slugs())
def test_the_pack_renders_for_any_facilitator_and_sends_strangers_to_sign_in(white, other_facilitator, slug):
    html = _page(white, slug)
    for part in ("pack-timeline", "pack-guide", "pack-roles", "pack-rules", "pack-sources"):
        assert f'class="pack-part {part}"' in html, part
    assert re.search(r'href="/static/css/pack\.[0-9a-f.]*css"', html)
    grey = Client()
    grey.force_login(other_facilitator)  # a facilitator of no exercise at all: the pack names none
    assert grey.get(f"/facilitator/pack/{slug}/").status_code == 200
    r = Client().get(f"/facilitator/pack/{slug}/")
    assert r.status_code == 302 and r["Location"].startswith("/facilitator/login/")


def test_an_unknown_scenario_or_part_is_404(white):
    assert white.get("/facilitator/pack/no-such-scenario/").status_code == 404
    assert white.get("/facilitator/pack/northern-territories/?part=nope").status_code == 404
    assert white.post("/facilitator/pack/northern-territories/").status_code == 405


@pytest.mark.parametrize("slug", scenario_slugs())
def test_the_timeline_lists_every_inject_in_the_quarter_its_turn_falls_in(white, slug):
    spec = load_scenario(slug)
    timeline = _section(_page(white, slug, "timeline"), "pack-timeline")
    rows = re.findall(r'<tr data-inject="([A-Z0-9]+)">(.*?)</tr>', timeline, flags=re.S)
    found = dict(rows)
    assert sorted(found) == sorted(i.id for i in spec.injects)
    # Each turn's rows: the quarter cell opens the turn's first row and spans the others.
    quarter_of = {}
    current = None
    for iid, row in rows:
        m = re.search(r'<td rowspan="\d+" class="quarter">([^<]+)</td>', row)
        if m:
            current = m.group(1)
        quarter_of[iid] = current
    for inj in spec.injects:
        assert escape(inj.title) in found[inj.id], inj.id
        turn = inj.trigger.get("turn")
        if turn:
            assert quarter_of[inj.id] == engine.game_date(spec, turn), inj.id
        else:  # a condition: listed as "when …" with its generated trigger text
            assert escape(inj.trigger_text) in found[inj.id] and inj.trigger_text.startswith("when "), inj.id
    # The real events: an inject's "Historical basis" clause appears, its keys turned into references.
    assert "Historical basis" not in timeline and 'href="#source-' in timeline


def test_the_timeline_names_the_basis_of_a_dated_inject(white):
    timeline = _section(_page(white, "northern-territories", "timeline"), "pack-timeline")
    row = re.search(r'<tr data-inject="NT4">(.*?)</tr>', timeline, flags=re.S).group(1)
    assert "November 2016" in row and 'href="#source-pacfleet-kurils-2016"' in row


@pytest.mark.parametrize("slug", scenario_slugs())
def test_one_role_card_per_team_with_its_rules_and_sub_roles(white, slug):
    spec = load_scenario(slug)
    roles = _section(_page(white, slug, "roles"), "pack-roles")
    cards = re.findall(r'<article class="role-card" id="role-([A-Z]{3})" data-team="\1">(.*?)</article>', roles,
                       flags=re.S)
    assert [c for c, _ in cards] == list(spec.team_codes)
    for code, card in cards:
        team = spec.team(code)
        assert f"Income: {spec.params.income[code]} RP a turn" in card
        for o in team.objectives:
            assert f'<span class="code-tag">{o.id}</span>' in card
        ordered = re.findall(r'<tr><td><span class="code-tag">([A-Z]\d+)</span>', card)
        assert ordered == [a.key for a in spec.actions.values() if code in a.who], code
    by_code = dict(cards)
    for code, words in (("RUS", ("Ministry of Foreign Affairs", "Ministry of Defence")),
                        ("JPN", ("Kantei", "Ministry of Defense"))):
        assert 'class="sub-roles"' in by_code[code]
        for w in words:
            assert w in by_code[code], (code, w)
        assert [r["name"] for r in spec.pack["sub_roles"][code]]
    assert "while SP is 70 or more" in by_code["RUS"]  # Russia's sanctions penalty, from the rules
    # An action an inject unlocks says which inject opens it, and when (NT2 opens Russia's M3).
    for inj in spec.injects:
        for e in inj.effects:
            for key in e.get("actions", ()) if e.get("op") == "unlock" else ():
                for code in spec.actions[key].who:
                    row = re.search(rf'<span class="code-tag">{key}</span>.*?</tr>', by_code[code], flags=re.S).group(0)
                    assert f"opens with {inj.id}, turn {inj.trigger['turn']}" in row, (code, key)


@pytest.mark.parametrize("slug", scenario_slugs())
def test_the_rules_summary_states_the_crisis_rule_with_the_scenarios_numbers(white, slug):
    spec = load_scenario(slug)
    rules = _section(_page(white, slug, "rules"), "pack-rules")
    crisis = spec.rules["crisis"]
    assert f"at rung {crisis['rung']} or higher" in rules
    assert "De-escalate" in rules and "Hold" in rules and "Escalate" in rules
    assert f"Tension alone climbs no higher than rung {crisis['tension_cap']}" in rules
    assert f"rung {crisis['force_rung']}" in rules and f"rung {spec.rules['end']['rung']}" in rules
    assert "{" not in rules  # every {number} was filled from the rules
    assert f"after turn {spec.turns}, {engine.game_date(spec, spec.turns)}" in rules
    assert ("peace-treaty framework" in rules) == bool(spec.rules["end"].get("treaty"))


@pytest.mark.parametrize("slug", scenario_slugs())
def test_the_guide_has_objectives_and_a_prompt_per_turn(white, slug):
    spec = load_scenario(slug)
    guide = _section(_page(white, slug, "guide"), "pack-guide")
    assert 3 <= guide.count("</li>", 0, guide.index("Reading the thesis chart")) <= 5
    for n in range(1, spec.turns + 1):
        assert f'data-turn="{n}"' in guide
        assert f"Turn {n} · {engine.game_date(spec, n)}" in guide
    for part in ("direct", "spillover", "incident", "events", "drift"):
        assert f"<dt>{part}</dt>" in guide


@pytest.mark.parametrize("slug", scenario_slugs())
def test_no_raw_citation_key_shows(white, slug):
    html = _page(white, slug)
    assert not CITATION.findall(html), sorted(set(CITATION.findall(html)))
    assert 'class="cite"' in html and 'id="source-rinna"' in html


def test_the_facilitator_home_links_each_scenarios_pack(white):
    html = white.get("/facilitator/").content.decode()
    for slug in scenario_slugs():
        assert f'href="/facilitator/pack/{slug}/"' in html
