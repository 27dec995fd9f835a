"""The rules commands of KataGo and KGS: ``kata-get-rules``, ``kata-set-rules``,
``kata-set-rule`` and ``kgs-rules``. Dosaku plays one ruleset (``engine/ruleset.py``); these commands
say which, and accept only names of it, so a controller that asks for other rules
hears at once that it will not get them."""

from __future__ import annotations

from engine.ruleset import RulesError, check_katago_rule, check_katago_rules, check_kgs_rules, katago_rules_json
from gtp.arguments import expect_args
from gtp.engine import GTPEngine
from gtp.protocol import SYNTAX_ERROR, GTPCommandError


def register(engine: GTPEngine) -> None:
    """Add ``kata-get-rules``, ``kata-set-rules``, ``kata-set-rule`` and ``kgs-rules`` to ``engine``."""
    engine.register("kata-get-rules", kata_get_rules)
    engine.register("kata-set-rules", kata_set_rules)
    engine.register("kata-set-rule", kata_set_rule)
    engine.register("kgs-rules", kgs_rules)


def kata_get_rules(args: list[str]) -> str:
    """The rules as KataGo's JSON: ``{"hasButton":false,"ko":"POSITIONAL",...}``."""
    expect_args(args, 0)
    return katago_rules_json()


def kata_set_rules(args: list[str]) -> str:
    """Accept KataGo's names of Dosaku's rules, or its JSON of them; refuse others."""
    if not args:
        raise GTPCommandError(f"{SYNTAX_ERROR} (expected a rules name or JSON)")
    try:
        check_katago_rules(" ".join(args))  # JSON may hold spaces
    except RulesError as err:
        raise GTPCommandError(str(err)) from None
    return ""


def kata_set_rule(args: list[str]) -> str:
    """KataGo's one-field form, ``kata-set-rule ko POSITIONAL``: accepted when it agrees."""
    expect_args(args, 2)
    try:
        check_katago_rule(args[0], args[1])
    except RulesError as err:
        raise GTPCommandError(str(err)) from None
    return ""


def kgs_rules(args: list[str]) -> str:
    """KGS's ``chinese``; its ``japanese``, ``aga`` and ``new_zealand`` are refused."""
    expect_args(args, 1)
    try:
        check_kgs_rules(args[0])
    except RulesError as err:
        raise GTPCommandError(str(err)) from None
    return ""
