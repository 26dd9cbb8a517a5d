"""English, Japanese and Russian: the language selector on every page, the remembered choice, <html lang>,
the scenario's prose per language (falling back to English field by field), a team's shared panels per
language, and the catalogues' completeness."""
import importlib.util
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.test import Client, RequestFactory
from django.utils import translation

from wargame.exercises.views import errors
from wargame.scenarios import ScenarioError, load_scenario, load_scenario_file, loader, loads, scenario_slugs

from ..conftest import join

ROOT = Path(__file__).resolve().parents[2]
LANGS = ("ja", "ru")
NT = "northern-territories"


@pytest.fixture(scope="module", autouse=True)
def compiled_messages():
    """The .mo files from the .po files, as `make install` does (a .mo newer than its .po is kept)."""
    spec = importlib.util.spec_from_file_location("compile_messages", ROOT / "scripts" / "compile_messages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main([]) == 0
    assert module.main(["--check"]) == 0  # every .mo is there and fresh


def _selector(html, path=None):
    """The language selector's form in html (fails if missing); with ``path``, its `next` must be that page."""
    form = re.search(r'<form class="lang-form" method="post" action="/i18n/setlang/".*?</form>', html, re.S)
    assert form, "no language selector on the page"
    form = form.group(0)
    assert 'name="csrfmiddlewaretoken"' in form
    for code in ("en", "ja", "ru"):
        assert f'<option value="{code}" lang="{code}"' in form
    assert "日本語" in form and "Русский" in form and "English" in form  # each language in its own name
    assert '<button class="btn btn-ghost btn-sm lang-go" type="submit">' in form  # works without script
    if path is not None:
        assert f'name="next" value="{path}"' in form
    return form


def _lang(html):
    return re.search(r'<html lang="([^"]+)"', html).group(1)


# ---------------------------------------------------------------- the selector and the remembered choice

@pytest.fixture
def played_clients(exercise, facilitator):
    white = Client()
    white.force_login(facilitator)
    player = Client()
    join(player, exercise, "Aiko", "JPN")
    unseated = Client()
    assert unseated.post("/", {"code": exercise.join_code, "name": "Kenji"}).status_code == 302
    return {"white": white, "player": player, "unseated": unseated, "stranger": Client()}


def test_the_selector_is_on_every_kind_of_page(exercise, played_clients):
    code = exercise.join_code
    pages = [
        ("stranger", "/", 200),
        ("unseated", f"/x/{code}/join/", 200),
        ("player", f"/x/{code}/t/JPN/", 200),
        ("player", f"/x/{code}/plenary/", 200),
        ("white", f"/f/{exercise.pk}/", 200),
        ("white", f"/x/{code}/plenary/", 200),
        ("white", f"/facilitator/pack/{NT}/", 200),
        ("white", f"/f/{exercise.pk}/debrief/", 200),
        ("white", "/facilitator/", 200),
        ("stranger", "/no/such/page/", 404),
        ("player", f"/x/{code}/t/RUS/", 404),
    ]
    for who, path, status in pages:
        response = played_clients[who].get(path)
        assert response.status_code == status, (who, path, response.status_code)
        html = response.content.decode()
        _selector(html, path)
        assert _lang(html) == "en", path


def test_a_page_answering_a_post_sends_the_person_back_by_the_referrer():
    """`next` only names a page that a GET can reopen; after a POST the view falls back to the Referer."""
    from django.template.loader import render_to_string

    request = RequestFactory().post("/x/ABC/join/")
    form = _selector(render_to_string("includes/language_select.html", {}, request=request))
    assert 'name="next"' not in form


def test_picking_a_language_is_remembered_for_a_year(exercise, played_clients):
    player = played_clients["player"]
    page = f"/x/{exercise.join_code}/t/JPN/"
    response = player.post("/i18n/setlang/", {"language": "ru", "next": page})
    assert response.status_code == 302 and response["Location"] == page
    cookie = player.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "ru" and int(cookie["max-age"]) >= 364 * 24 * 3600
    for path in (page, "/", f"/x/{exercise.join_code}/plenary/"):  # every later page, not only the next one
        html = player.get(path).content.decode()
        assert _lang(html) == "ru", path
        assert '<option value="ru" lang="ru" selected>' in _selector(html)
    player.post("/i18n/setlang/", {"language": "ja", "next": "/"})
    assert _lang(player.get("/").content.decode()) == "ja"
    # A language the app does not offer changes nothing; an outside `next` is not followed.
    response = player.post("/i18n/setlang/", {"language": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302 and not response["Location"].startswith("https://evil")
    assert _lang(player.get("/").content.decode()) == "ja"


def test_the_browser_language_is_the_default_until_one_is_picked(client):
    assert _lang(client.get("/", headers={"accept-language": "ru-RU,ru;q=0.9"}).content.decode()) == "ru"
    assert _lang(client.get("/", headers={"accept-language": "ja"}).content.decode()) == "ja"
    assert _lang(client.get("/", headers={"accept-language": "de"}).content.decode()) == "en"
    client.post("/i18n/setlang/", {"language": "en"})
    assert _lang(client.get("/", headers={"accept-language": "ja"}).content.decode()) == "en"  # the pick wins


def test_the_selector_posts_with_csrf_like_every_form(exercise):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/i18n/setlang/", {"language": "ru"}).status_code == 403
    html = strict.get("/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', _selector(html)).group(1)
    response = strict.post("/i18n/setlang/", {"language": "ru", "next": "/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and strict.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"


@pytest.mark.parametrize("lang", ["en", *LANGS])
def test_the_500_page_speaks_the_language_and_has_the_selector(lang):
    request = RequestFactory().get("/x/ABC/t/JPN/")
    with translation.override(lang):
        response = errors.server_error(request)
        expected = translation.gettext("Something went wrong on our side")
    html = response.content.decode()
    assert response.status_code == 500 and _lang(html) == lang
    _selector(html, "/x/ABC/t/JPN/")
    assert expected in html


def test_the_500_page_still_answers_when_its_template_fails(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("template store is gone")

    monkeypatch.setattr(errors, "render_to_string", broken)
    response = errors.server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and b"Something went wrong" in response.content


# ---------------------------------------------------------------- the scenario's prose per language

def _shipped(tmp_path):
    for name in (f"{NT}.yaml", f"{NT}.text.yaml"):
        shutil.copy(Path(loader.HERE) / name, tmp_path / name)
    return tmp_path / f"{NT}.yaml"


OVERLAY = """
title: "北方領土"
teams:
  JPN:
    name: "日本国"
actions:
  D1:
    name: "日露2+2"
    help: "外務・防衛閣僚協議。"
injects:
  NT1:
    title: "ソチ首脳会談"
objectives:
  JPN1:
    text: "日露の緊張を40未満に保つ。"
pack:
  learning_objectives:
    - "一つ目の学習目標。"
    - "二つ目の学習目標。"
    - "三つ目の学習目標。"
"""


def test_an_overlay_replaces_only_the_fields_it_gives(tmp_path):
    rules_path = _shipped(tmp_path)
    (tmp_path / f"{NT}.text.ja.yaml").write_text(OVERLAY, encoding="utf-8")
    english = load_scenario_file(str(rules_path))
    ja = load_scenario_file(str(rules_path), lang="ja")
    assert ja.title == "北方領土" and english.title != ja.title
    assert ja.summary == english.summary  # not in the overlay: English
    en_jpn, ja_jpn = (next(t for t in sc.teams if t.code == "JPN") for sc in (english, ja))
    assert ja_jpn.name == "日本国"
    assert ja_jpn.public_briefing == en_jpn.public_briefing and ja_jpn.private_briefing == en_jpn.private_briefing
    assert next(t for t in ja.teams if t.code == "RUS").name == next(t for t in english.teams if t.code == "RUS").name
    assert ja.actions["D1"].name == "日露2+2" and ja.actions["D1"].help == "外務・防衛閣僚協議。"
    assert ja.actions["D1"].effects_text == english.actions["D1"].effects_text
    assert ja.actions["E1"].name == english.actions["E1"].name
    ja_inj, en_inj = (next(i for i in sc.injects if i.id == "NT1") for sc in (ja, english))
    assert ja_inj.title == "ソチ首脳会談" and ja_inj.text == en_inj.text
    assert next(o for o in ja.objectives if o.id == "JPN1").text == "日露の緊張を40未満に保つ。"
    assert next(o for o in ja.objectives if o.id == "JPN2").text == next(o for o in english.objectives
                                                                        if o.id == "JPN2").text
    # A list is replaced whole; the pack's other sections stay English.
    assert ja.pack["learning_objectives"] == ["一つ目の学習目標。", "二つ目の学習目標。", "三つ目の学習目標。"]
    assert ja.pack["hot_wash"] == english.pack["hot_wash"] and ja.pack["rules_summary"] == english.pack["rules_summary"]
    # The rules are the same in every language.
    assert ja.rules == english.rules and ja.turns == english.turns
    assert {k: a.cost for k, a in ja.actions.items()} == {k: a.cost for k, a in english.actions.items()}
    # The language file can be named directly (manage.py scenario_check FILE); a language with no file is English.
    assert load_scenario_file(str(tmp_path / f"{NT}.text.ja.yaml")).title == "北方領土"
    assert load_scenario_file(str(rules_path), lang="ru").title == english.title


def test_loads_takes_an_overlay_too():
    rules = (Path(loader.HERE) / f"{NT}.yaml").read_text(encoding="utf-8")
    text = (Path(loader.HERE) / f"{NT}.text.yaml").read_text(encoding="utf-8")
    sc = loads(rules, text, name=f"{NT}.yaml", overlay="teams:\n  RUS:\n    name: Россия\n", lang="ru")
    assert next(t for t in sc.teams if t.code == "RUS").name == "Россия"
    assert sc.summary == loads(rules, text, name=f"{NT}.yaml").summary


@pytest.mark.parametrize("overlay,problem", [
    ("teams:\n  JPN:\n    motto: 何か\n", "teams.JPN.motto: unknown field"),
    ("banner: 何か\n", "banner: unknown key"),
    ("teams:\n  XYZ:\n    name: 何か\n", "teams.XYZ: unknown id"),
    ("pack:\n  learning_objectives: [ただ一つ]\n", "pack.learning_objectives: expected 3-5 items"),
    ("pack:\n  rules_summary:\n    - heading: 見出し\n      text: \"{nope} 以上\"\n", "unknown number {nope}"),
])
def test_a_wrong_overlay_is_reported_with_its_file_name(tmp_path, overlay, problem):
    rules_path = _shipped(tmp_path)
    (tmp_path / f"{NT}.text.ja.yaml").write_text(overlay, encoding="utf-8")
    try:
        load_scenario_file(str(rules_path), lang="ja")
    except ScenarioError as e:
        assert any(p.startswith(f"{NT}.text.ja.yaml: ") and problem in p for p in e.problems), e.problems
    else:
        raise AssertionError("the overlay's problem was not reported")


def test_shipped_overlays_load_and_keep_the_rules():
    """Each language file that ships is valid and changes prose only; a language without one is English."""
    for slug in scenario_slugs():
        english = load_scenario(slug)
        for lang in LANGS:
            sc = load_scenario(slug, lang=lang)
            assert sc.rules == english.rules and sc.params.zones == english.params.zones
            assert [t.code for t in sc.teams] == [t.code for t in english.teams]
            assert load_scenario(slug, lang=lang) is sc  # cached per (slug, language)
            if not (Path(loader.HERE) / f"{slug}.text.{lang}.yaml").exists():
                assert sc is english
        assert load_scenario(slug, lang="en") is english and load_scenario(slug, lang="de") is english
    assert not [s for s in scenario_slugs() if ".text" in s]  # language files are not scenarios


# ---------------------------------------------------------------- a team's shared panels, per language

@pytest.fixture
def marked_overlays(monkeypatch):
    """The Japanese and Russian prose of the scenario, each with a marker in Japan's first objective."""
    rules = (Path(loader.HERE) / f"{NT}.yaml").read_text(encoding="utf-8")
    text = (Path(loader.HERE) / f"{NT}.text.yaml").read_text(encoding="utf-8")
    marks = {}
    for lang in LANGS:
        marks[lang] = f"MARK-{lang.upper()}-objective"
        sc = loads(rules, text, name=f"{NT}.yaml", overlay=f"objectives:\n  JPN1:\n    text: {marks[lang]}\n", lang=lang)
        monkeypatch.setitem(loader._cache, (NT, lang), sc)
    return marks


def test_a_team_s_shared_panels_are_cached_per_language(exercise, marked_overlays):
    ja, ru, en = Client(), Client(), Client()
    join(ja, exercise, "Aiko", "JPN")
    join(ru, exercise, "Boris", "JPN")
    join(en, exercise, "Carol", "JPN")
    ja.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    ru.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    url = f"/x/{exercise.join_code}/t/JPN/"
    panel = {"HX-Request": "true", "HX-Target": "team-objectives"}
    for headers in (panel, {}):  # the panel alone (a live refresh), then the whole page, from the same cache
        got = {lang: c.get(url, headers=headers).content.decode() for lang, c in (("ja", ja), ("ru", ru), ("en", en))}
        assert marked_overlays["ja"] in got["ja"] and marked_overlays["ru"] not in got["ja"]
        assert marked_overlays["ru"] in got["ru"] and marked_overlays["ja"] not in got["ru"]
        assert not any(mark in got["en"] for mark in marked_overlays.values())
        assert "Keep Japan–Russia tension (T) below 40" in got["en"]
    # The refresh of every panel at once, as a doorbell asks for it.
    for lang, c in (("ja", ja), ("ru", ru)):
        html = c.get(f"{url}panels/?event=turn_published").content.decode()
        assert marked_overlays[lang] in html and not any(m in html for k, m in marked_overlays.items() if k != lang)


# ---------------------------------------------------------------- the catalogues

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|\{(\w+)\}")


def _placeholders(text):
    return sorted(a or b for a, b in PLACEHOLDER.findall(text or ""))


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_has_a_translation_with_the_same_placeholders(lang):
    """Fails while a translator's work is unfinished: it lists what is missing."""
    po = ROOT / "locale" / lang / "LC_MESSAGES" / "django.po"
    with po.open("rb") as f:
        import contextlib
        import io

        with contextlib.redirect_stdout(io.StringIO()):  # babel prints about Django's extra plural form
            catalog = read_po(f, locale=lang)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        strings = strings[:catalog.num_plurals] if len(ids) > 1 else strings
        where = f"{po.relative_to(ROOT)}: {ids[0][:60]!r}"
        if message.fuzzy:
            problems.append(f"{where}: fuzzy")
        elif not all(s and s.strip() for s in strings):
            problems.append(f"{where}: not translated")
        else:
            # Every form names what the singular names (a plural's %(count)s may be left out of a form
            # where the language says "one" in words, so compare names as sets against the plural msgid).
            wanted = set(_placeholders(ids[-1])) | set(_placeholders(ids[0]))
            for s in strings:
                if set(_placeholders(s)) - wanted or (len(ids) == 1 and _placeholders(s) != _placeholders(ids[0])):
                    problems.append(f"{where}: placeholders {_placeholders(s)} differ from {sorted(wanted)}")
                    break
    assert not problems, f"{len(problems)} of {len(catalog) - 1} messages:\n" + "\n".join(problems[:40])
