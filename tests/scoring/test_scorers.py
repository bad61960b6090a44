"""The built-in scorers and build_scorers, on real text (no mocks)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs
import pytest

from scrm_core import hookimpl
from scrm_core.errors import ConfigError
from scrm_core.models import Contact, Interaction, Party, Score
from scrm_core.plugins import Registry, create_plugin_manager
from scrm_core.scoring import ScoringContext, build_scorers
from scrm_core.scoring.influence import CustomerValueScorer, InfluenceScorer
from scrm_core.scoring.intent import IntentScorer, intents_of
from scrm_core.scoring.language import LanguageScorer
from scrm_core.scoring.priority import PriorityScorer
from scrm_core.scoring.sentiment import SentimentScorer

NOW = datetime(2025, 3, 5, 15, 0, tzinfo=UTC)


def item(text: str, language: str | None = None, **author: Any) -> Interaction:
    return Interaction(
        channel="x",
        account="brand",
        external_id="1",
        kind="mention",
        text=text,
        language=language,
        author=Party(platform_id="p", **author),
        created_at=NOW,
    )


def run(
    text: str, contact: Contact | None = None, settings: dict[str, Any] | None = None, **author: Any
) -> dict[str, Score]:
    """The pipeline's scoring loop, as the contract describes it."""
    scorers = build_scorers(Registry(create_plugin_manager(entry_points=False)), settings or {})
    interaction, scores = item(text, **author), {}
    for scorer in scorers:
        if scorer.languages is not None and interaction.language not in scorer.languages:
            continue
        result = scorer.score(interaction, ScoringContext(scores=scores, contact=contact, now=NOW))
        if result is not None:
            scores[scorer.name] = result
            if scorer.name == "language" and interaction.language is None:
                interaction = attrs.evolve(interaction, language=result.label)
    return scores


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("@brand my order never arrived and nobody answers", "en"),
        ("Meu pedido ainda não chegou e ninguém responde", "pt"),
        ("Mi pedido no ha llegado y nadie responde", "es"),
    ],
)
def test_language_is_detected(text: str, code: str) -> None:
    score = LanguageScorer().score(item(text), ScoringContext())
    assert score is not None and score.label == code


def test_language_abstains_on_short_text_and_keeps_a_given_one() -> None:
    assert LanguageScorer().score(item("ok :)"), ScoringContext()) is None
    given = LanguageScorer().score(item("ok", language="pt"), ScoringContext())
    assert given is not None and given.label == "pt"


def test_language_configuration_is_checked() -> None:
    with pytest.raises(ValueError, match="unknown ISO"):
        LanguageScorer().configure({"languages": ["en", "xx"]})


def test_sentiment_english_and_portuguese() -> None:
    scorer = SentimentScorer()
    en = scorer.score(item("Terrible service, I hate this", "en"), ScoringContext())
    pt = scorer.score(item("Péssimo atendimento, horrível", "pt"), ScoringContext())
    happy = scorer.score(item("Adorei, muito bom!", "pt"), ScoringContext())
    assert en is not None and en.label == "negative" and "VADER" in en.reasons[0]
    assert pt is not None and pt.label == "negative" and "LeIA" in pt.reasons[0]
    assert happy is not None and happy.label == "positive"


def test_unsupported_language_gets_no_sentiment() -> None:
    scores = run(
        "Das ist ein schrecklicher Dienst, ich bin sehr enttäuscht",
        settings={"language": {"languages": ["en", "pt", "de"]}},
    )
    assert scores["language"].label == "de"
    assert "sentiment" not in scores
    assert SentimentScorer().languages == frozenset({"en", "pt"})


def test_sentiment_lexicon_extends_in_config() -> None:
    scorer = SentimentScorer().configure({"lexicon": {"pt": {"lentidão": -2.5}}})
    score = scorer.score(item("que lentidão", "pt"), ScoringContext())
    assert score is not None and score.value < 0


def test_intent_matches_every_intent_multilingually() -> None:
    score = IntentScorer().score(
        item("Quero meu dinheiro de volta, vou cancelar minha conta"), ScoringContext()
    )
    assert score is not None and score.label == "churn_risk"
    assert intents_of(score) == {"churn_risk", "complaint"}
    assert any("matched 'dinheiro de volta'" in r for r in score.reasons)


def test_intent_whole_words_only_and_none_when_nothing_matches() -> None:
    assert IntentScorer().score(item("the firewall config"), ScoringContext()) is None  # not "fire"


def test_intent_config_extends_keywords_and_patterns() -> None:
    scorer = IntentScorer().configure(
        {"keywords": {"billing": ["fatura"]}, "patterns": {"order": [r"#\d{5}"]}}
    )
    score = scorer.score(item("minha fatura do pedido #12345"), ScoringContext())
    assert score is not None and intents_of(score) == {"billing", "order"}
    with pytest.raises(ValueError, match="not a valid RE2"):
        IntentScorer().configure({"patterns": {"x": ["(a)\\1"]}})


def test_influence_from_followers_and_verification() -> None:
    scorer = InfluenceScorer()
    big = scorer.score(item("hi", follower_count=48_000), ScoringContext())
    small = scorer.score(item("hi", follower_count=50), ScoringContext())
    assert big is not None and big.label == "influencer" and big.reasons == ("influencer: 48k followers",)
    assert small is not None and small.label == "regular" and small.value < big.value
    assert scorer.score(item("hi"), ScoringContext()) is None
    verified = scorer.score(item("hi", verified=True), ScoringContext())
    assert verified is not None and verified.label == "influencer"


def test_customer_value_from_host_contact() -> None:
    scorer = CustomerValueScorer()
    assert scorer.score(item("hi"), ScoringContext()) is None
    gold = scorer.score(item("hi"), ScoringContext(contact=Contact(ref="c", tier="Gold")))
    rich = scorer.score(item("hi"), ScoringContext(contact=Contact(ref="c", value=20_000.0)))
    assert gold is not None and gold.value == pytest.approx(0.7)
    assert rich is not None and rich.value == 1.0


def test_priority_combines_with_reasons() -> None:
    scores = run(
        "@brand péssimo atendimento, quero meu dinheiro de volta!",
        follower_count=48_000,
        contact=Contact(ref="c", tier="gold"),
    )
    priority = scores["priority"]
    assert priority.label == "urgent"
    assert any(r.startswith("negative sentiment") for r in priority.reasons)
    assert "intent complaint (+20)" in priority.reasons
    assert "influencer: 48k followers (+20)" in priority.reasons
    assert priority.reasons[-1].endswith("-> urgent")


def test_priority_levels_and_low_default() -> None:
    assert run("Can you tell me the opening hours of the store downtown?")["priority"].label == "low"
    assert run("My phone exploded and caught fire")["priority"].label == "urgent"


@pytest.mark.parametrize(
    ("weights", "thresholds", "message"),
    [
        ({"complaint": -1}, {}, "negative"),
        ({}, {"urgent": 10, "high": 40}, "urgent > high"),
        (
            {
                k: 0
                for k in (
                    "negative_sentiment",
                    "urgent_safety",
                    "churn_risk",
                    "complaint",
                    "purchase_interest",
                    "opt_out",
                    "question",
                    "influence",
                    "customer_value",
                )
            },
            {},
            "nothing could ever be urgent",
        ),
        ({"complaint": 5000}, {}, "dwarfs"),
    ],
)
def test_priority_refuses_weights_that_do_not_sum_sensibly(
    weights: dict[str, float], thresholds: dict[str, float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        PriorityScorer(weights, thresholds)


def test_build_scorers_orders_by_requires_and_reports_config_problems() -> None:
    registry = Registry(create_plugin_manager(entry_points=False))
    names = [s.name for s in build_scorers(registry, {})]
    assert names.index("language") < names.index("sentiment") < names.index("priority")
    with pytest.raises(ConfigError) as info:
        build_scorers(
            registry, {"disable": ["influence", "nope"], "priority": {"weights": {"complaint": -1}}}
        )
    paths = {p.path for p in info.value.problems}
    assert {"scoring.disable", "scoring.priority"} <= paths


def test_build_scorers_missing_requirement_and_cycle() -> None:
    class Needs:
        languages = None

        def __init__(self, name: str, requires: tuple[str, ...]) -> None:
            self.name, self.requires = name, requires

        def score(self, interaction: Interaction, context: ScoringContext) -> Score | None:
            return None

    class Plugin:
        def __init__(self, *scorers: Needs) -> None:
            self.scorers = scorers

        def scrm_register_scorers(self, register: Any) -> None:
            for s in self.scorers:
                register(s)

    Plugin.scrm_register_scorers = hookimpl(Plugin.scrm_register_scorers)  # type: ignore[method-assign]
    cyclic = Registry(
        create_plugin_manager(entry_points=False, extra=[Plugin(Needs("a", ("b",)), Needs("b", ("a",)))])
    )
    with pytest.raises(ConfigError, match="cycle"):
        build_scorers(cyclic, {})
    missing = Registry(create_plugin_manager(entry_points=False, extra=[Plugin(Needs("c", ("ghost",)))]))
    with pytest.raises(ConfigError, match="requires 'ghost'"):
        build_scorers(missing, {})
