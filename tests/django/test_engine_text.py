"""The app's templates for the engine's messages: one per message id, with the engine's placeholders; old
events without a message show their stored text; the active language's catalogue is asked (gettext)."""
import re

from django.utils import translation

from wargame import engine
from wargame.engine.messages import MESSAGES, fields, msg, render
from wargame.exercises import engine_text
from wargame.scenarios import load_scenario

APP_FIELD = re.compile(r"%\((\w+)\)([-+ #0]*\d*(?:\.\d+)?[sdfg])")


def _engine_fields(template):
    return sorted((name, (spec or "") + ("s" if not spec else "")) for name, spec in fields(template))


def _app_fields(template):
    return sorted((name, conv if conv != "s" else "s") for name, conv in APP_FIELD.findall(template))


def test_every_engine_message_has_an_app_template_with_the_same_placeholders():
    assert set(engine_text.TEMPLATES) == set(MESSAGES)
    for msg_id, template in MESSAGES.items():
        app = str(engine_text.TEMPLATES[msg_id])
        assert _app_fields(app) == _engine_fields(template), msg_id
        # in English the app says exactly what the engine says
        english = re.sub(r"\{(\w+)(?::([^}]*))?\}", lambda m: f"%({m.group(1)})" + (m.group(2) or "s"),
                         template.replace("%", "%%"))
        assert app == english, msg_id


def test_event_text_in_english_is_the_engine_text():
    sc = load_scenario("northern-territories")
    st = sc.initial_state()
    for d in st.dyads.values():
        d.T = 90
    res = engine.resolve_turn(sc, st, [engine.Order("JPN", "M1", "RUS"), engine.Order("RUS", "ZZ")], seed=4)
    with translation.override("en"):
        for e in res.events:
            assert engine_text.event_text(e, sc) == e["text"]
        assert engine_text.headlines(res.events, sc) == res.headlines
        assert engine_text.narrative(res.events, "JPN", sc) == res.narratives["JPN"]
        refused = next(e for e in res.events if e["kind"] == "not_carried_out")
        assert engine_text.event_reason_text(refused, sc) == refused["reason"]


def test_old_events_without_a_message_keep_their_text():
    old = {"id": "t1:order:JPN:M1", "kind": "action", "audience": "all", "text": "JPN: M1 Naval procurement (RUS)"}
    assert engine_text.event_text(old) == old["text"]
    assert engine_text.translated_event(old) is old
    assert engine_text.refusal_text("a plain old reason") == "a plain old reason"
    assert engine_text.ended_text([], "turn limit reached (8 turns)") == "turn limit reached (8 turns)"


def test_refusal_and_error_texts_come_from_their_messages():
    sc = load_scenario("northern-territories")
    reasons = engine.check_orders(sc, sc.initial_state(), "JPN", [engine.Order("JPN", "ZZ")])
    assert reasons and all(isinstance(r, engine.Refusal) for r in reasons)
    with translation.override("en"):
        assert [engine_text.refusal_text(r, sc) for r in reasons] == [str(r) for r in reasons]
    err = engine.GameOverError("the game has ended: x", msg=msg("game_over", reason="x"))
    assert engine_text.error_text(err) == "the game has ended: x"
    assert engine_text.error_text(engine.EngineInputError("plain")) == "plain"


def test_the_active_language_catalogue_is_asked(monkeypatch):
    """Rendering goes through gettext with the app template as msgid: a translation, once filled, is used."""
    asked = []
    trans = translation._trans
    real = trans.gettext  # the backend every gettext call ends in

    def spy(message):
        asked.append(message)
        return real(message)

    monkeypatch.setattr(trans, "gettext", spy)
    m = msg("crisis_opened", a="CHN", b="JPN", rung=4)
    with translation.override("ja"):
        text = engine_text.message_text(m)
    assert "Crisis on %(a)s–%(b)s at rung %(rung)s: before the next turn, each side chooses to de-escalate, " \
        "hold or escalate (48 hours)" in asked
    assert text != render(m) and "CHN" in text and "JPN" in text  # the Japanese catalogue's text, filled in


def test_action_names_come_from_the_scenario():
    sc = load_scenario("northern-territories")
    m = msg("action_target", team="JPN", action="M1", target="RUS")
    with translation.override("en"):
        assert engine_text.message_text(m, sc) == f"JPN: M1 {sc.actions['M1'].name} (RUS)"
    assert engine_text.message_text(m) == "JPN: M1 M1 (RUS)"  # no scenario: the key stands in


def test_ended_text_reads_the_end_event():
    sc = load_scenario("northern-territories")
    res = engine.resolve_turn(sc, sc.initial_state(), [], seed=1, turn_limit=1)
    with translation.override("en"):
        assert engine_text.ended_text(res.events, res.state.ended, sc) == res.state.ended
