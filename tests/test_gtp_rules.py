"""The rules and housekeeping commands: ``kata-get-rules``, ``kata-set-rules``,
``kgs-rules`` (Dosaku plays one ruleset and says so), the ``RU`` of the SGFs it
writes, ``cputime``/``gomill-cpu_time``, ``get_komi``, ``stop`` and ``clear_cache``."""

from __future__ import annotations

import io
import json
import time

import pytest

from engine.ruleset import KATAGO_RULES, SGF_RULES, RulesError, check_katago_rules
from gtp.build import build_engine
from gtp.engine import GTPEngine
from mcts.evaluators import UniformEvaluator
from mcts.players import MCTSPlayer, RandomPlayer
from tests.gtp_process import EngineProcess

# What KataGo's docs/GTP_Extensions.md says its names mean; Dosaku's own rules differ
# from tromp-taylor only in multi-stone suicide, from the chinese ones only in the
# handicap bonus (and chinese's simple ko), which is why those names are accepted.
REFUSED_NAMES = ("japanese", "korean", "stone-scoring", "aga", "bga", "new-zealand", "aga-button", "ing", "")


def make_engine(player=None) -> GTPEngine:
    return build_engine(player or RandomPlayer(0), size=9, komi=7.5, log=io.StringIO())


def ok(engine: GTPEngine, line: str) -> str:
    response = engine.handle_line(line)
    assert response.startswith("= ") and response.endswith("\n\n"), f"{line!r} -> {response!r}"
    return response[2:-2]


def fail(engine: GTPEngine, line: str) -> str:
    response = engine.handle_line(line)
    assert response.startswith("? ") and response.endswith("\n\n"), f"{line!r} -> {response!r}"
    assert "internal error" not in response
    return response[2:-2]


# --- rules ---------------------------------------------------------------------


def test_kata_get_rules_answers_kataGo_s_json_of_dosaku_s_rules():
    engine = make_engine()
    answer = ok(engine, "kata-get-rules")
    assert "\n" not in answer and " " not in answer  # one token, as KataGo writes it
    assert json.loads(answer) == {
        "hasButton": False,
        "ko": "POSITIONAL",
        "scoring": "AREA",
        "suicide": False,
        "tax": "NONE",
        "whiteHandicapBonus": "0",
    }
    assert fail(engine, "kata-get-rules chinese").startswith("syntax error")


@pytest.mark.parametrize("name", ["tromp-taylor", "chinese", "chinese-ogs", "chinese-kgs", "Chinese", "TROMP-TAYLOR"])
def test_kata_set_rules_accepts_kataGo_s_names_of_these_rules(name):
    engine = make_engine()
    assert ok(engine, f"kata-set-rules {name}") == ""
    assert json.loads(ok(engine, "kata-get-rules")) == KATAGO_RULES  # what Dosaku plays, whatever the name


@pytest.mark.parametrize("name", REFUSED_NAMES)
def test_kata_set_rules_refuses_other_rules_and_says_what_it_plays(name):
    message = fail(make_engine(), f"kata-set-rules {name}".strip())
    if not name:
        assert message.startswith("syntax error")
    else:
        assert "not supported" in message and "area scoring, positional superko, no suicide" in message


def test_kata_set_rules_takes_json_that_agrees_and_refuses_json_that_does_not():
    engine = make_engine()
    ok(engine, 'kata-set-rules {"ko":"POSITIONAL","scoring":"AREA","suicide":false,"tax":"NONE"}')
    ok(engine, "kata-set-rules " + json.dumps(KATAGO_RULES))  # with spaces inside, as json.dumps writes it
    ok(engine, 'kata-set-rules {"scoring":"area","friendlyPassOk":true,"komi":7.5}')  # case, and non-rules fields
    refusals = {
        '{"ko":"SIMPLE"}': "ko",
        '{"scoring":"TERRITORY"}': "scoring",
        '{"suicide":true}': "suicide",
        '{"tax":"SEKI"}': "tax",
        '{"hasButton":true}': "hasButton",
        '{"whiteHandicapBonus":"N"}': "whiteHandicapBonus",
        '{"suicide":"false"}': "suicide",  # a string is not the boolean
        '{"colour":"blue"}': "unknown rules field",
        '["chinese"]': "not supported",  # not an object: no name of these rules either
        '{"ko":': "neither a name nor JSON",
    }
    for text, named in refusals.items():
        assert named in fail(engine, f"kata-set-rules {text}"), text
    with pytest.raises(RulesError):
        check_katago_rules("japanese")


def test_kata_set_rule_sets_one_field_when_it_agrees():
    engine = make_engine()
    for key, value in (("ko", "POSITIONAL"), ("scoring", "area"), ("suicide", "false"), ("hasButton", "FALSE"),
                       ("tax", "NONE"), ("whiteHandicapBonus", "0"), ("friendlyPassOk", "true")):  # fmt: skip
        assert ok(engine, f"kata-set-rule {key} {value}") == "", key
    for key, value in (("ko", "SIMPLE"), ("suicide", "true"), ("scoring", "TERRITORY")):
        assert "not supported" in fail(engine, f"kata-set-rule {key} {value}")
    assert "unknown rules field" in fail(engine, "kata-set-rule flavour x")
    assert fail(engine, "kata-set-rule ko").startswith("syntax error")


def test_kgs_rules_accepts_chinese_only():
    engine = make_engine()
    assert ok(engine, "kgs-rules chinese") == ""
    for name in ("japanese", "aga", "new_zealand"):
        assert "not supported" in fail(engine, f"kgs-rules {name}")
    assert fail(engine, "kgs-rules").startswith("syntax error")


def test_written_sgfs_name_the_rules_as_kataGo_writes_them():
    assert SGF_RULES == "koPOSITIONALscoreAREAtaxNONEsui0"  # KataGo's text: it reads it back
    bare = GTPEngine(RandomPlayer(0), size=9, log=io.StringIO())  # counts the board as it stands
    ok(bare, "play b e5")
    assert f"RU[{SGF_RULES}]" in ok(bare, "printsgf")
    engine = make_engine()  # final_score takes dead stones off: KataGo's friendly pass
    ok(engine, "play b e5")
    assert "RU[koPOSITIONALscoreAREAtaxNONEsui0fpok1]" in ok(engine, "printsgf")


# --- housekeeping --------------------------------------------------------------


def test_cputime_counts_the_process_s_cpu_seconds_and_grows_with_work():
    engine = make_engine()
    first = float(ok(engine, "cputime"))
    assert float(ok(engine, "gomill-cpu_time")) >= first >= 0.0
    busy_until = time.process_time() + 0.05
    while time.process_time() < busy_until:  # burn a little CPU in this process
        pass
    assert float(ok(engine, "cputime")) >= first + 0.05 - 0.001  # answers are rounded to milliseconds
    assert fail(engine, "cputime now").startswith("syntax error")


def test_cputime_counts_every_thread_of_the_process():
    import threading

    engine = make_engine()
    first = float(ok(engine, "cputime"))

    def burn():
        until = time.thread_time() + 0.05
        while time.thread_time() < until:
            pass

    worker = threading.Thread(target=burn)
    worker.start()
    worker.join()
    assert float(ok(engine, "cputime")) >= first + 0.05 - 0.001  # answers are rounded to milliseconds


def test_get_komi_reads_back_what_komi_set():
    engine = make_engine()
    assert ok(engine, "get_komi") == "7.5"
    ok(engine, "komi -3")
    assert ok(engine, "get_komi") == "-3"
    ok(engine, "komi 0.5")
    assert ok(engine, "get_komi") == "0.5"


def test_clear_cache_forgets_the_kept_search_tree_and_is_harmless_without_one():
    assert ok(make_engine(), "clear_cache") == ""  # a random player keeps nothing
    player = MCTSPlayer(UniformEvaluator(), simulations=32, seed=1)
    engine = make_engine(player)
    assert ok(engine, "clear_cache") == ""  # before any search
    ok(engine, "genmove b")
    assert player.search.trees.node_count[0] > 0  # the tree is kept for the next move
    ok(engine, "clear_cache")
    assert player.search.trees.node_count[0] == 0
    ok(engine, "genmove w")  # and the next search starts afresh
    assert player.search.trees.node_count[0] > 0


def test_stop_ends_a_running_analysis_and_is_harmless_otherwise():
    engine = EngineProcess("--size", "7", "--player", "mcts", "--sims", "64", "--seed", "2")
    try:
        assert engine.ask("stop") == "= "  # nothing running
        engine.send("kata-analyze b 5")
        assert engine.next_line() == "= \n"
        assert engine.next_line().startswith("info move ")
        engine.send("stop")
        while (line := engine.next_line()) != "\n":  # the analysis ends with its blank line...
            assert line.startswith("info move "), line
        assert (engine.next_line(), engine.next_line()) == ("= \n", "\n")  # ...then stop is answered
        assert engine.ask("get_komi") == "= 7.5"  # and the engine goes on
        known = engine.ask("list_commands")[2:].split("\n")
        for command in ("kata-get-rules", "kata-set-rules", "kata-set-rule", "kgs-rules", "cputime", "gomill-cpu_time",
                        "get_komi", "stop", "clear_cache", "dosaku-tromp_taylor_score"):  # fmt: skip
            assert command in known
        status, stderr = engine.close()
        assert status == 0, stderr
    finally:
        engine.kill()
