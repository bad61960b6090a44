"""Interactions scored per second with every default scorer, next to VADER alone (the floor for a lexicon
scorer). The full set must reach at least 0.3 of VADER alone.

    python benchmarks/scoring.py [--budget 2] [--corpus demo|synthetic] [--size 1000]

The corpus is the demo data's inbound messages (English and Brazilian Portuguese posts, DMs, e-mails and
ticket updates, ``src/scrm_core/demo/data/interactions.json``), repeated to ``--size`` interactions, each a fresh
copy without a language (so the language scorer detects it); ``--corpus synthetic`` uses twelve short
social-media posts instead. VADER alone scores the same interactions' texts. The full run follows the pipeline's
rules: scorers in ``requires`` order, language-gated, the language score filling in the interaction's language.
Last line: JSON with ``ratio_vs_vader``.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import attrs
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from scrm_core import codec
from scrm_core.demo.run import load_dataset
from scrm_core.models import Contact, Interaction, Party, Score
from scrm_core.plugins import Registry, create_plugin_manager
from scrm_core.scoring import Scorer, ScoringContext, build_scorers

TEXTS = [
    "@brand my order never arrived and nobody answers, worst service ever. I want a refund now",
    "Thanks @brand, the new plan is great and support was super quick!",
    "How much is the fibre upgrade? Thinking of switching from my current provider",
    "@brand the charger started smoking and burned my desk, this is dangerous",
    "Please stop messaging me, unsubscribe me from everything",
    "is the app down? can't log in since this morning",
    "@marca péssimo atendimento, quero meu dinheiro de volta! Vou cancelar minha conta",
    "Adorei o atendimento de vocês, muito obrigado pela ajuda rápida :)",
    "Quanto custa o plano de 500 mega? Quero contratar ainda hoje",
    "Meu pedido não chegou e ninguém responde, que descaso",
    "alguém pode me ajudar com a segunda via do boleto?",
    "o carregador explodiu e quase pegou fogo aqui em casa, perigoso demais",
]


def demo_corpus(size: int) -> list[Interaction]:
    """The demo data's inbound interactions, cycled to ``size`` fresh copies without a language."""
    documents = [d for d in load_dataset()[0] if d.get("direction", "inbound") == "inbound"]
    items = []
    for i in range(size):
        document = {k: v for k, v in documents[i % len(documents)].items() if k != "language"}
        document["external_id"] = f"{document['external_id']}#{i}"
        items.append(codec.from_json(Interaction, document))
    return items


def corpus(size: int, rng: random.Random) -> list[Interaction]:
    now = datetime(2025, 3, 5, 15, 0, tzinfo=UTC)
    return [
        Interaction(
            channel="twitter",
            account="brand",
            external_id=str(i),
            kind="mention",
            author=Party(
                platform_id=f"u{i}",
                follower_count=rng.choice((None, 120, 5_400, 48_000)),
                verified=rng.random() < 0.1,
            ),
            text=rng.choice(TEXTS),
            created_at=now,
        )
        for i in range(size)
    ]


def run_all(scorers: Sequence[Scorer], contact: Contact) -> Callable[[Interaction], dict[str, Score]]:
    def score(interaction: Interaction) -> dict[str, Score]:
        scores: dict[str, Score] = {}
        # one context per interaction: it holds the same dict the loop fills, so each scorer sees so far
        context = ScoringContext(scores=scores, contact=contact)
        for scorer in scorers:
            if scorer.languages is not None and interaction.language not in scorer.languages:
                continue
            result = scorer.score(interaction, context)
            if result is None:
                continue
            scores[scorer.name] = result
            if scorer.name == "language" and interaction.language is None:
                interaction = attrs.evolve(interaction, language=result.label)
        return scores

    return score


def per_second(fn: Callable[[Interaction], object], items: Sequence[Interaction], budget: float) -> float:
    done, started = 0, time.perf_counter()
    while True:
        for item in items:
            fn(item)
        done += len(items)
        elapsed = time.perf_counter() - started
        if elapsed >= budget:
            return done / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=2.0, help="seconds per measurement")
    parser.add_argument("--corpus", choices=("demo", "synthetic"), default="demo", help="which texts to score")
    parser.add_argument("--size", type=int, default=1000, help="interactions in the corpus")
    args = parser.parse_args()
    items = demo_corpus(args.size) if args.corpus == "demo" else corpus(args.size, random.Random(3))
    scorers = build_scorers(Registry(create_plugin_manager(entry_points=False)), {})
    vader = SentimentIntensityAnalyzer()
    full = run_all(scorers, Contact(ref="c1", tier="gold", value=1200.0))
    full(items[0])  # warm up: first calls load lazily built tables
    vader_rate = per_second(lambda i: vader.polarity_scores(i.text), items, args.budget)
    full_rate = per_second(full, items, args.budget)
    ratio = full_rate / vader_rate
    print(f"VADER alone:            {vader_rate:>9,.0f} interactions/s")
    print(
        f"all default scorers:    {full_rate:>9,.0f} interactions/s  ({', '.join(s.name for s in scorers)})"
    )
    print(f"ratio vs VADER alone:   {ratio:.2f} (target >= 0.3)")
    print(
        json.dumps(
            {
                "ratio_vs_vader": round(ratio, 3),
                "vader_per_second": round(vader_rate),
                "all_scorers_per_second": round(full_rate),
                "corpus": args.corpus,
            }
        )
    )


if __name__ == "__main__":
    main()
