"""Words instead of codes: the filters White's console, the review and the plenary use."""

from django.template import Context, Template

from wargame.exercises.templatetags import words
from wargame.scenarios import load_scenario

SPEC = load_scenario("northern-territories")


def render(source, **context):
    return Template("{% load words %}" + source).render(Context(context))


def test_an_action_key_becomes_its_catalogue_name_with_the_key_as_a_small_tag():
    html = render("{{ 'M2'|action_label:spec }}", spec=SPEC)
    assert "ASW patrols at Soya/Okhotsk" in html
    assert '<span class="code-tag">M2</span>' in html
    assert words.action_name("D1", SPEC).startswith("2+2")
    assert words.action_name("Z9", SPEC) == "Z9"  # unknown keys are shown as they are, not dropped


def test_every_variable_the_game_shows_has_a_short_explanation():
    for var in ("N", "ASW", "D", "LL", "BS", "SP", "KM", "IL", "C", "T", "E", "AX"):
        assert words.var_help(var), var
    html = render("{{ 'BS'|var_abbr }}")
    assert html.startswith('<abbr class="help" title="Bastion security: ')
    assert html.endswith(">BS</abbr>")
    assert 'tabindex="0"' in render("{{ 'IL'|var_abbr:'focus' }}")
    assert render("{{ 'Q<b>'|var_abbr }}") == "Q&lt;b&gt;"  # unknown names pass through, escaped


def test_argued_outcomes_read_as_words():
    html = render("{{ 'no_and'|outcome_label }} {{ 'yes_but'|outcome_label }}")
    assert "No, and" in html and "Yes, but" in html
    assert "no_and<" not in html and ">no_and" not in html


def test_event_labels_come_from_typed_fields():
    action = {"kind": "action", "action": "M2", "teams": ["JPN"], "text": "JPN: M2 ASW patrols"}
    assert words.event_label(action, SPEC) == "Japan: ASW patrols at Soya/Okhotsk"
    incident = {"kind": "incident", "teams": ["CHN", "USA"], "incident": "unsafe manoeuvre", "text": "x"}
    assert words.event_label(incident, SPEC) == "Incident, China–United States: unsafe manoeuvre"
    roll = {"kind": "roll", "roll_of": "incident", "teams": ["CHN", "JPN"],
            "text": "t1:incident:CHN-JPN: rolled, nothing happened"}
    assert words.event_label(roll, SPEC) == "China–Japan: incident roll, no incident"
    argued = {"kind": "argued", "teams": ["RUS"], "adjudication": {"outcome": "yes_but"}}
    assert words.event_label(argued, SPEC) == "Russia: argued action — Yes, but"
    inject = {"kind": "inject", "inject": "NT2", "teams": []}
    assert words.event_label(inject, SPEC) == "Inject: Pacific Fleet surveys Matua"
    assert words.event_headline(inject, SPEC) == "Pacific Fleet surveys Matua"
    assert words.event_headline(action, SPEC) == "Japan: ASW patrols at Soya/Okhotsk"
    skipped = {"kind": "not_carried_out", "action": "D1", "teams": ["JPN"]}
    assert "not carried out" in words.event_label(skipped, SPEC)
    assert words.event_label({"kind": "override", "reason": "Pedagogy", "target": "t1:order:JPN:M2"},
                             SPEC) == "White's override (Pedagogy)"
    assert words.event_label({"kind": "new_kind", "text": "Engine words"}, SPEC) == "Engine words"


def test_citation_keys_become_readable_references_that_land_on_the_sources_list():
    html = render("{{ text|cite:spec }}", text="Coexistence [rinna], <b>summit</b> [mofa-sochi-2016] [nope]",
                  spec=SPEC)
    assert '<a class="cite" href="#source-rinna"' in html and ">Rinna</a>" in html
    assert ">MOFA Japan 2016</a>" in html
    assert "&lt;b&gt;summit" in html  # the prose itself stays escaped
    assert "[nope]" in html  # an unknown key is left as written
    assert "[rinna]" not in html
    listing = render("{% sources_list spec %}", spec=SPEC)
    assert 'id="source-rinna"' in listing and "Northeast Asian Regional Security Complex" in listing


def test_changes_read_as_words():
    html = str(words.change_label(["JPN-RUS", "T", 5.0, "spillover"], SPEC))
    assert html.startswith("Japan–Russia <abbr") and "+5.0" in html and "(spillover)" in html
    assert str(words.change_label(["okhotsk", "JPN", 1, "presence"], SPEC)) == "Japan deploys to okhotsk"
    assert "Unlocks" in str(words.change_label(["", "unlock", "M3", ""], SPEC))
    html = str(words.change_label(["E1", "cost", -1, ""], SPEC))
    assert "costs 1 RP less" in html and '<span class="code-tag">E1</span>' in html
