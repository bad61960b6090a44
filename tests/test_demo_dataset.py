"""The bundled demo dataset: schema-valid, threaded, bilingual and shaped like real channel traffic."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import pytest

from scrm_core import schemas
from scrm_core.models import Agent

CHANNELS = {"x", "facebook", "email", "helpdesk"}
OPT_OUT_WORDS = {"stop", "unsubscribe", "pare", "parar", "cancelar", "sair"}


def _word_set(*lines: str) -> frozenset[str]:
    return frozenset(" ".join(lines).split())


# Function words and chat abbreviations frequent in one language and rare in the other.
PT_MARKERS = _word_set(
    "não nao vcs vc pq q pra pro minha meu você voce está tá ta já ja aqui hoje hj mas isso esse essa",
    "uma com para ninguém nada também tambem vou sou foi são sem ainda agora quero obrigada obrigado",
    "olá ola boa bom dia é muito em tem fatura cobrança atendimento kkkk kkkkk kkkkkk de que do da dos das",
)
EN_MARKERS = _word_set(
    "the and is my to it you your for this of i i'm it's have has with been what not still get just",
    "any anyone can does will was are there on at why how please thanks thank me we our",
)
WORD = re.compile(r"[a-zà-ÿ']+")


def _load(name: str) -> list[dict[str, Any]]:
    text = resources.files("scrm_core.demo").joinpath(f"data/{name}").read_text("utf-8")
    loaded: list[dict[str, Any]] = json.loads(text)
    return loaded


@pytest.fixture(scope="module")
def interactions() -> list[dict[str, Any]]:
    return _load("interactions.json")


@pytest.fixture(scope="module")
def agents() -> list[dict[str, Any]]:
    return _load("agents.json")


def _language(text: str) -> str | None:
    words = WORD.findall(text.lower())
    pt = sum(w in PT_MARKERS for w in words)
    en = sum(w in EN_MARKERS for w in words)
    if pt == en:
        return None
    return "pt" if pt > en else "en"


def _utc(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def test_every_document_matches_the_interaction_schema(interactions: list[dict[str, Any]]) -> None:
    assert isinstance(interactions, list)
    for doc in interactions:
        schemas.validate("interaction", doc)
        assert "language" not in doc, "the pipeline detects the language; the data must not state it"
        assert "received_at" not in doc


def test_size_and_channels(interactions: list[dict[str, Any]]) -> None:
    assert len(interactions) >= 200
    assert {d["channel"] for d in interactions} == CHANNELS
    accounts = {(d["channel"], d["account"]) for d in interactions}
    assert len(accounts) == len(CHANNELS), "one brand account per channel"


def test_identities_are_unique(interactions: list[dict[str, Any]]) -> None:
    keys = Counter((d["channel"], d["account"], d["external_id"]) for d in interactions)
    assert [k for k, n in keys.items() if n > 1] == []


def test_channel_shapes(interactions: list[dict[str, Any]]) -> None:
    for d in interactions:
        channel, kind, visibility = d["channel"], d["kind"], d.get("visibility", "public")
        if channel == "x":
            assert kind in {"mention", "reply", "direct_message"}
            assert re.fullmatch(r"[0-9]{19}", d["external_id"])
            assert d["author"]["handle"].startswith("@")
        elif channel == "facebook":
            assert kind in {"comment", "direct_message"}
            assert re.fullmatch(
                r"[0-9]+_[0-9]+" if kind == "comment" else r"m_[A-Za-z0-9_-]+", d["external_id"]
            )
        elif channel == "email":
            assert kind == "email"
            assert re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", d["external_id"])
            assert d["metadata"]["subject"]
            assert d["thread_ref"]
            if d.get("direction", "inbound") == "inbound":
                assert "@" in d["author"]["platform_id"]
        else:
            assert kind == "ticket_update"
            meta = d["metadata"]
            assert {"ticket_id", "status", "subject"} <= meta.keys()
            assert d["thread_ref"] == f"ticket-{meta['ticket_id']}"
            assert d["external_id"].startswith(f"{meta['ticket_id']}-")
        public = kind in {"mention", "reply", "comment"}
        assert visibility == ("public" if public else "private"), d["external_id"]
        if public:
            assert d["link"].startswith("https://")
        else:
            assert d.get("link") is None
        if kind == "direct_message":
            assert d["thread_ref"].startswith("dm-")


def test_timestamps_are_utc_and_inside_the_demo_window(interactions: list[dict[str, Any]]) -> None:
    start, end = datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 26, tzinfo=UTC)
    for d in interactions:
        assert d["created_at"].endswith("Z")
        moment = _utc(d["created_at"])
        offset = moment.utcoffset()
        assert offset is not None and offset.total_seconds() == 0
        assert start <= moment < end


def test_replies_point_to_earlier_documents_on_the_same_account(interactions: list[dict[str, Any]]) -> None:
    by_key = {(d["channel"], d["account"], d["external_id"]): d for d in interactions}
    replies = [d for d in interactions if d.get("in_reply_to")]
    assert len(replies) >= 20
    for d in replies:
        parent = by_key.get((d["channel"], d["account"], d["in_reply_to"]))
        assert parent is not None, f"{d['external_id']} replies to an unknown {d['in_reply_to']}"
        assert _utc(parent["created_at"]) < _utc(d["created_at"])


def test_threads(interactions: list[dict[str, Any]]) -> None:
    ordered = sorted(interactions, key=lambda d: _utc(d["created_at"]))
    seen_threads: set[tuple[str, str, str]] = set()
    continuations = 0
    for d in ordered:
        thread = (d["channel"], d["account"], d["thread_ref"]) if d.get("thread_ref") else None
        if d.get("in_reply_to") or (thread and thread in seen_threads):
            continuations += 1
        if thread:
            seen_threads.add(thread)
    assert continuations >= 40
    # both sides of the conversation: the brand's own replies are in the data too
    outbound = [d for d in interactions if d.get("direction") == "outbound"]
    assert 5 <= len(outbound) <= 20
    # a few customers write on more than one channel
    channels_by_name: dict[str, set[str]] = {}
    for d in interactions:
        if d.get("direction", "inbound") == "inbound":
            channels_by_name.setdefault(d["author"]["display_name"], set()).add(d["channel"])
    assert sum(len(c) > 1 for c in channels_by_name.values()) >= 3


def test_texts_are_distinct(interactions: list[dict[str, Any]]) -> None:
    long_texts = Counter(d["text"] for d in interactions if len(d["text"].split()) > 1)
    assert [t for t, n in long_texts.items() if n > 1] == []


def test_both_languages(interactions: list[dict[str, Any]]) -> None:
    languages = Counter(_language(d["text"]) for d in interactions)
    total = len(interactions)
    assert languages["pt"] / total >= 0.40, languages
    assert languages["en"] / total >= 0.40, languages


def test_single_word_opt_outs(interactions: list[dict[str, Any]]) -> None:
    opt_outs = [d for d in interactions if d["text"].strip().lower() in OPT_OUT_WORDS]
    assert len(opt_outs) >= 6
    assert all(d.get("direction", "inbound") == "inbound" for d in opt_outs)


def test_agents(agents: list[dict[str, Any]]) -> None:
    assert isinstance(agents, list) and len(agents) >= 8
    keys = {"id", "name", "department", "team", "skills", "languages", "channels", "capacity", "email"}
    for agent in agents:
        assert set(agent) == keys, agent
        assert set(agent["languages"]) <= {"en", "pt"} and agent["languages"]
        assert set(agent["channels"]) <= CHANNELS
        assert isinstance(agent["capacity"], int) and agent["capacity"] > 0
        Agent(**agent)
    assert len({a["id"] for a in agents}) == len(agents)
    departments = Counter(a["department"] for a in agents)
    assert {"customer-care", "finance", "sales", "field-operations"} <= departments.keys()
    assert departments["sales"] >= 2
    assert sum(a["team"] == "advocates" for a in agents) >= 3
    assert any("retention" in a["skills"] for a in agents)
    covered = {lang for a in agents for lang in a["languages"]}
    assert covered == {"en", "pt"}
