"""The one ruleset Dosaku plays, named as other Go software names rules.

Dosaku's rules (``engine/rules.py``): area scoring, positional superko, suicide
(of one stone or many) illegal, the game over after two passes in a row, komi
added to white's count and no other compensation (handicap stones give white no
extra points). In KataGo's terms (its ``kata-get-rules`` JSON, ``docs/GTP_Extensions.md``):

* ``ko`` POSITIONAL, ``scoring`` AREA, ``tax`` NONE, ``suicide`` false,
  ``hasButton`` false, ``whiteHandicapBonus`` "0";
* as KataGo writes rules into an SGF's ``RU``: ``koPOSITIONALscoreAREAtaxNONEsui0``
  (it omits the button and handicap bonus when they are off and 0). Self-play, the
  arena and the window count the board as it stands, so dead stones must be captured
  before the game ends; the GTP engine's ``final_score`` takes them off first, which
  KataGo calls ``friendlyPassOk`` and writes ``...sui0fpok1``.

Names that other programs send for rules. Only those whose even games Dosaku plays
exactly as it does are accepted: KataGo's ``tromp-taylor`` (which differs only in
allowing multi-stone suicide, a move no sensible player makes), ``chinese``,
``chinese-ogs`` and ``chinese-kgs`` (which differ only in the handicap bonus, and
``chinese`` also in its simple ko rule, which differs only where a long cycle such as
a triple ko arises); KGS's ``chinese``. Territory scoring (``japanese``,
``korean``), stone scoring, situational superko (``aga``, ``bga``, ``new-zealand``)
and the button are refused: Dosaku would count those games differently.
"""

from __future__ import annotations

import json

# KataGo's field names and values, in the order kata-get-rules answers them.
KATAGO_RULES = {
    "hasButton": False,
    "ko": "POSITIONAL",
    "scoring": "AREA",
    "suicide": False,
    "tax": "NONE",
    "whiteHandicapBonus": "0",
}
SGF_RULES = "koPOSITIONALscoreAREAtaxNONEsui0"  # KataGo's RU text for these rules; KataGo reads it back
# The same, where the count takes dead stones off first (GTP's final_score): KataGo's
# friendlyPassOk, passing with dead stones still on the board is fine.
SGF_RULES_DEAD_REMOVED = SGF_RULES + "fpok1"
KATAGO_NAMES = ("tromp-taylor", "chinese", "chinese-ogs", "chinese-kgs")
KGS_NAMES = ("chinese",)
SUMMARY = "area scoring, positional superko, no suicide"


class RulesError(ValueError):
    """Rules Dosaku does not play; the message says what it plays instead."""


def katago_rules_json() -> str:
    """Dosaku's rules as KataGo's ``kata-get-rules`` writes them (one line of JSON)."""
    return json.dumps(KATAGO_RULES, separators=(",", ":"))


def check_katago_rules(text: str) -> None:
    """Accept KataGo's shorthand names of Dosaku's rules, or a JSON object of
    ``kata-get-rules``'s fields that agrees with them (fields left out take
    Dosaku's values; ``friendlyPassOk`` and ``komi``, which name no rule of play, are
    allowed); raise ``RulesError`` for anything else."""
    text = text.strip()
    if not text.startswith("{"):
        if text.lower() in KATAGO_NAMES:
            return
        raise RulesError(f"rules {text!r} not supported: Dosaku plays {SUMMARY} ({', '.join(KATAGO_NAMES)})")
    try:
        fields = json.loads(text)
    except json.JSONDecodeError as err:
        raise RulesError(f"rules are neither a name nor JSON ({err.msg})") from None
    for key, value in fields.items():
        if key in ("friendlyPassOk", "komi"):
            continue
        if key not in KATAGO_RULES:
            raise RulesError(f"unknown rules field {key!r} (known: {', '.join(KATAGO_RULES)})")
        wanted = KATAGO_RULES[key]
        same = value == wanted if isinstance(wanted, bool) else str(value).upper() == wanted
        if not same or isinstance(value, bool) != isinstance(wanted, bool):
            raise RulesError(f"rules {key}={json.dumps(value)} not supported: Dosaku plays {key}={json.dumps(wanted)}")


def check_katago_rule(key: str, value: str) -> None:
    """KataGo's ``kata-set-rule KEY VALUE``: one field, accepted when it agrees with Dosaku's
    rules (``true``/``false`` for the yes-or-no fields); raise ``RulesError`` otherwise."""
    wanted = KATAGO_RULES.get(key)
    parsed = {"true": True, "false": False}.get(value.lower(), value) if isinstance(wanted, bool) else value
    check_katago_rules(json.dumps({key: parsed}))


def check_kgs_rules(name: str) -> None:
    """Accept KGS's ``chinese``; raise ``RulesError`` for its other rules."""
    if name.lower() not in KGS_NAMES:
        raise RulesError(f"rules {name!r} not supported: Dosaku plays {SUMMARY} (chinese)")
