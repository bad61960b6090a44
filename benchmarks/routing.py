"""Routing throughput at 10, 1,000 and 10,000 rules, next to the same rules in ``rule-engine`` (the peer).

    python benchmarks/routing.py [--decisions 4000] [--seed 7]

Rule sets are generated like a real deployment grows: per-product keyword rules, order-number patterns and
channel/kind/language/intent triage rules, all first-match. The peer evaluates the same rules with the same
first-match semantics (keywords as whole words on the same folded text). Prints a table, then one JSON line:
``growth_10k_over_10`` (our cost per decision at 10,000 rules / at 10) and ``speedup_vs_peer_1k``.
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import re
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import rule_engine

from scrm_core.models import Interaction, Party, Score
from scrm_core.plugins import Registry, create_plugin_manager
from scrm_core.routing import RoutingInput, build_router
from scrm_core.routing.router import RuleRouter
from scrm_core.scoring.text import fold
from scrm_core.store.sqlite import SQLiteStore

CHANNELS = ["twitter", "facebook", "instagram", "email", "whatsapp", "reclameaqui"]
KINDS = ["mention", "reply", "direct_message", "comment", "post", "email"]
LANGUAGES = ["en", "pt", "es"]
INTENTS = ["complaint", "question", "praise", "purchase_interest", "churn_risk", "opt_out", "urgent_safety"]
STEMS = [
    "fibra",
    "router",
    "fatura",
    "boleto",
    "plano",
    "promo",
    "app",
    "entrega",
    "pedido",
    "chip",
    "refund",
    "estorno",
    "signal",
    "sinal",
    "senha",
    "login",
    "netflix",
    "roaming",
    "modem",
    "cupom",
]
NOW = datetime(2025, 3, 5, 15, 0, tzinfo=UTC)


def make_rules(count: int, rng: random.Random) -> list[dict[str, Any]]:
    rules = []
    for n in range(count):
        when: dict[str, Any] = {"channel": rng.choice(CHANNELS)}
        shape = rng.random()
        if shape < 0.45:  # a product or campaign: its own keywords
            when["keywords"] = [f"{rng.choice(STEMS)}{n}", f"{rng.choice(STEMS)}-{n}"]
            if rng.random() < 0.5:
                when["language"] = rng.choice(LANGUAGES)
        elif shape < 0.50:  # an order-number format
            when["regex"] = f"\\bped{n}-[0-9]+"
        else:  # triage by channel, kind, language and intent
            when["kind"] = rng.choice(KINDS)
            when["language"] = rng.choice(LANGUAGES)
            when["intent"] = rng.choice(INTENTS)
        rules.append({"id": f"r{n}", "when": when, "then": {"queue": f"q{n % 20}"}})
    return rules


def make_inputs(count: int, rule_count: int, rng: random.Random) -> list[RoutingInput]:
    inputs = []
    for i in range(count):
        language = rng.choice(LANGUAGES)
        intents = rng.sample(INTENTS, rng.choice((0, 1, 1, 2)))
        words = [
            "hello",
            "my",
            "order",
            "is",
            "late",
            "and",
            "the",
            "app",
            "keeps",
            "crashing",
            "please",
            "help",
        ]
        rng.shuffle(words)
        if rng.random() < 0.5:  # mentions a product some rule may know
            words.insert(3, f"{rng.choice(STEMS)}{rng.randrange(rule_count)}")
        text = " ".join(words)
        interaction = Interaction(
            channel=rng.choice(CHANNELS),
            account="brand",
            external_id=str(i),
            kind=rng.choice(KINDS),
            author=Party(platform_id=f"u{i}"),
            text=text,
            language=language,
            created_at=NOW,
        )
        scores = {}
        if intents:
            scores["intent"] = Score(
                name="intent",
                value=len(intents),
                label=intents[0],
                reasons=[f"intent:{name} matched 'x'" for name in intents],
            )
        scores["priority"] = Score(name="priority", value=20, label="normal", reasons=["20 points -> normal"])
        inputs.append(RoutingInput(interaction=interaction, scores=scores, now=NOW))
    return inputs


def _quote(value: str) -> str:
    return json.dumps(value)


def peer_rules(rules: Sequence[dict[str, Any]]) -> list[tuple[str, rule_engine.Rule]]:
    """The same rules as rule-engine expressions over {channel, kind, language, intents, text}."""
    context = rule_engine.Context(default_value=None)
    compiled = []
    for rule in rules:
        parts = []
        for name, argument in rule["when"].items():
            if name in ("channel", "kind", "language"):
                parts.append(f"{name} == {_quote(argument)}")
            elif name == "intent":
                parts.append(f"{_quote(argument)} in intents")
            elif name == "keywords":
                alternatives = "|".join(re.escape(fold(k)) for k in argument)
                parts.append(f"text =~~ {_quote(f'(?<![0-9a-z_])({alternatives})(?![0-9a-z_])')}")
            elif name == "regex":
                parts.append(f"text =~~ {_quote('(?i)' + argument)}")
        compiled.append((rule["id"], rule_engine.Rule(" and ".join(parts), context=context)))
    return compiled


def peer_route(rules: Sequence[tuple[str, rule_engine.Rule]], routing_input: RoutingInput) -> str | None:
    interaction = routing_input.interaction
    intent = routing_input.scores.get("intent")
    thing = {
        "channel": interaction.channel,
        "kind": interaction.kind.value,
        "language": interaction.language,
        "intents": tuple(r[7:].split(" ", 1)[0] for r in intent.reasons) if intent else (),
        "text": fold(interaction.text),
    }
    for rule_id, rule in rules:
        if rule.matches(thing):
            return rule_id
    return None


def _peer_call(rules: Sequence[tuple[str, rule_engine.Rule]], routing_input: RoutingInput) -> str | None:
    return peer_route(rules, routing_input)


def _first_rule(router: RuleRouter, routing_input: RoutingInput) -> str | None:
    fired = router.matching_rules(routing_input)
    return fired[0].id if fired else None


def per_second(fn: Callable[[RoutingInput], object], inputs: Sequence[RoutingInput], budget: float) -> float:
    done, started = 0, time.perf_counter()
    while True:
        for item in inputs:
            fn(item)
        done += len(inputs)
        elapsed = time.perf_counter() - started
        if elapsed >= budget:
            return done / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--budget", type=float, default=1.0, help="seconds per measurement")
    args = parser.parse_args()
    registry = Registry(create_plugin_manager(entry_points=False))
    results: dict[int, dict[str, float]] = {}
    for count in (10, 1_000, 10_000):
        rng = random.Random(args.seed)
        rules = make_rules(count, rng)
        queues: dict[str, dict[str, Any]] = {f"q{i}": {} for i in range(20)}
        agents = {f"a{i}": {"capacity": 10**9} for i in range(8)}
        router = build_router(
            {"rules": rules, "queues": queues, "agents": agents, "strategy": "least_loaded"},
            registry,
            store=SQLiteStore(),
        )
        inputs = make_inputs(args.decisions, count, rng)
        ours = per_second(router.route, inputs, args.budget)
        # the peer needs about a second per 10 decisions at 10,000 rules: give it a sample
        peer = peer_rules(rules)
        sample = inputs[: max(20, min(len(inputs), 200_000 // count))]
        theirs = per_second(functools.partial(_peer_call, peer), sample, args.budget)
        checked = sample[:200]
        ours_first = [_first_rule(router, ri) for ri in checked]
        agree = sum(a == peer_route(peer, ri) for a, ri in zip(ours_first, checked, strict=True))
        matched = sum(a is not None for a in ours_first)
        results[count] = {
            "ours": ours,
            "peer": theirs,
            "agree": agree / len(checked),
            "matched": matched / len(checked),
        }
        print(
            f"{count:>6} rules: scrm {ours:>10,.0f} decisions/s   rule-engine {theirs:>10,.1f} decisions/s   "
            f"x{ours / theirs:,.0f}   same first rule on {agree / len(checked):.0%} of inputs "
            f"({matched / len(checked):.0%} matched a rule)"
        )
    growth = results[10]["ours"] / results[10_000]["ours"]
    speedup = results[1_000]["ours"] / results[1_000]["peer"]
    print(f"cost per decision at 10,000 rules / at 10: {growth:.2f} (target <= 3)")
    print(f"speed-up over rule-engine at 1,000 rules: {speedup:,.0f}x (target >= 10)")
    print(
        json.dumps(
            {
                "growth_10k_over_10": round(growth, 3),
                "speedup_vs_peer_1k": round(speedup, 1),
                "decisions_per_second": {str(k): round(v["ours"]) for k, v in results.items()},
                "peer_decisions_per_second": {str(k): round(v["peer"], 1) for k, v in results.items()},
                "agreement": {str(k): v["agree"] for k, v in results.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
