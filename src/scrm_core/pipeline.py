"""The ten steps one interaction goes through, and nothing else.

    1 verify, 2 normalise     the channel (called by the engine for webhooks and polls)
    3 validate                the public interaction schema, before anything is stored
    4 deduplicate             (channel, account, external id) seen before? stop, idempotently
    5 identify                scrm_resolve_identity: the host's contact, if any
    6 consent                 opted-out people are flagged, opt-out messages recorded, erased people suppressed
    7 score                   every scorer in dependency order, each isolated
    8 route                   the Router: queue, owner, priority, SLA, and why
    9 thread                  attach to the conversation by the platform's thread keys
   10 deliver                 the host receives the update; observers are told

Steps 4 to 9 decide first and write last, in one transaction: an interaction is stored whole or not at all.
A failure in steps 8-9 or in the store keeps the interaction as a dead letter with the step and reason; a
failing scorer or identity plugin is skipped. Delivery to the host goes through a delivery queue written in
the same transaction, so a host that fails gets the update again on ``Engine.retry()``.
"""

from __future__ import annotations

import enum
import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import attrs
from attrs import frozen

from scrm_core import codec, schemas
from scrm_core.consent import ConsentPolicy, ConsentState
from scrm_core.models import (
    Contact,
    Conversation,
    ConversationStatus,
    ConversationUpdate,
    Direction,
    Identity,
    Interaction,
    RouteDecision,
    Score,
    utcnow,
)
from scrm_core.plugins import Hooks
from scrm_core.routing.base import Router, RoutingInput
from scrm_core.scoring.base import Scorer, ScoringContext
from scrm_core.store.base import Store, StoredInteraction

__all__ = ["Outcome", "Pipeline", "ProcessResult"]

log = logging.getLogger("scrm.pipeline")

_DO_NOT_CONTACT = "do-not-contact"


class Outcome(enum.StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    SUPPRESSED = "suppressed"
    DEAD_LETTER = "dead_letter"


@frozen(kw_only=True)
class ProcessResult:
    outcome: Outcome
    interaction: Interaction
    conversation: Conversation | None = None
    decision: RouteDecision | None = None
    scores: tuple[Score, ...] = ()
    reason: str | None = None


class _StepFailed(Exception):
    def __init__(self, step: str, cause: BaseException) -> None:
        self.step = step
        self.cause = cause
        super().__init__(f"{step}: {type(cause).__name__}: {cause}")


class Pipeline:
    """Runs steps 3-10 for interactions the channels produced. Synchronous: the only I/O is the local store,
    and keeping the loop free of awaits is what makes it fast; the engine does the network I/O around it."""

    def __init__(
        self, *, store: Store, hooks: Hooks, scorers: Sequence[Scorer], router: Router,
        consent: ConsentPolicy | None = None, clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.hooks = hooks
        self.scorers = tuple(scorers)
        self.router = router
        self.consent = consent or ConsentPolicy()
        self.clock = clock
        self._has_identity = hooks.has_implementations("scrm_resolve_identity")
        self._has_delivery = hooks.has_implementations("scrm_deliver")
        self._has_received = hooks.has_implementations("scrm_interaction_received")
        self._has_routed = hooks.has_implementations("scrm_interaction_routed")
        self._interaction_validator = schemas.validator("interaction")

    # ------------------------------------------------------------------------------------------- steps
    def validate(self, interactions: Sequence[Interaction]) -> None:
        """Step 3: every interaction must match the public schema; raises MalformedPayload with its path."""
        for index, interaction in enumerate(interactions):
            document = codec.to_json(interaction)
            if not self._interaction_validator.is_valid(document):
                schemas.validate("interaction", document, channel=interaction.channel, path=f"$[{index}]")

    def process_many(self, interactions: Sequence[Interaction], *, validated: bool = False) -> list[ProcessResult]:
        """Steps 3-10 for a batch: all are validated before any is stored. ``validated`` says a channel that
        declares ``validates_interactions`` built them from schema-checked documents."""
        if not validated:
            self.validate(interactions)
        return [self.process(interaction, validated=True) for interaction in interactions]

    def process(self, interaction: Interaction, *, validated: bool = False, retry: bool = False) -> ProcessResult:
        """Steps 3-10 for one interaction. Never raises for a plugin's or the router's failure: the
        interaction then becomes a dead letter (``Outcome.DEAD_LETTER``) that ``retry`` can take again."""
        if not validated:
            self.validate([interaction])
        key = interaction.key
        if not retry and self.store.is_seen(*key):
            return ProcessResult(outcome=Outcome.DUPLICATE, interaction=interaction)
        subject = self.consent.subject_of(interaction)
        consent_state = self.store.consent_state(subject)
        if consent_state == ConsentState.ERASED:
            with self.store.transaction():
                self.store.mark_seen(*key)
            return ProcessResult(outcome=Outcome.SUPPRESSED, interaction=interaction,
                                 reason="author was erased; nothing of theirs is processed")
        try:
            return self._decide_and_commit(interaction, subject, consent_state, retry=retry)
        except _StepFailed as failure:
            return self._dead_letter(interaction, failure, subject, retry=retry)

    def _decide_and_commit(
        self, interaction: Interaction, subject: str, consent_state: str | None, *, retry: bool
    ) -> ProcessResult:
        inbound = interaction.direction is Direction.INBOUND
        was_opted_out = consent_state == ConsentState.OPTED_OUT
        opts_out = inbound and self.consent.is_opt_out(interaction)
        opts_in = inbound and was_opted_out and not opts_out and self.consent.is_opt_in(interaction)
        opted_out = opts_out or (was_opted_out and not opts_in)
        now = self.clock()
        contact = self._identify(interaction) if inbound else None
        if self._has_received:
            self.hooks.interaction_received(interaction)
        interaction, scores = self._score(interaction, contact, now) if inbound else (interaction, {})
        try:
            existing = self._find_conversation(interaction)
        except Exception as exc:
            raise _StepFailed("thread", exc) from exc
        decision = None
        if inbound:
            try:
                decision = self.router.route(RoutingInput(
                    interaction=interaction, scores=scores, contact=contact, conversation=existing,
                    previous_owner=None if existing else self.store.previous_owner(
                        interaction.channel, interaction.author.platform_id),
                    now=now))
            except Exception as exc:
                raise _StepFailed("route", exc) from exc
        conversation, event = self._thread(interaction, existing, decision=decision, contact=contact,
                                          opted_out=opted_out, now=now)
        score_tuple = tuple(scores.values())
        update = ConversationUpdate(event=event, conversation=conversation, interaction=interaction,
                                    scores=score_tuple, decision=decision) if self._has_delivery else None
        delivery_id = None
        try:
            with self.store.transaction():
                if not self.store.mark_seen(*interaction.key) and not retry:
                    return ProcessResult(outcome=Outcome.DUPLICATE, interaction=interaction)
                if opts_out:
                    self.store.set_consent(subject, ConsentState.OPTED_OUT,
                                           reason=f"opt-out message {interaction.external_id}")
                elif opts_in:
                    self.store.set_consent(subject, None, reason=f"opt-in message {interaction.external_id}")
                self.store.save_conversation(conversation)
                self.store.save_interaction(StoredInteraction(
                    interaction=interaction, conversation_id=conversation.id, scores=score_tuple,
                    decision=decision))
                if update is not None:
                    delivery_id = self.store.add_delivery(conversation.id, codec.to_json(update))
        except Exception as exc:
            raise _StepFailed("store", exc) from exc
        if decision is not None and self._has_routed:
            self.hooks.interaction_routed(interaction, conversation, decision)
        if delivery_id is not None and update is not None:
            self._deliver(delivery_id, update)
        return ProcessResult(outcome=Outcome.ACCEPTED, interaction=interaction, conversation=conversation,
                             decision=decision, scores=score_tuple)

    def _identify(self, interaction: Interaction) -> Contact | None:
        if not self._has_identity:
            return None
        return self.hooks.resolve_identity(
            Identity(channel=interaction.channel, account=interaction.account, party=interaction.author))

    def _score(
        self, interaction: Interaction, contact: Contact | None, now: datetime
    ) -> tuple[Interaction, dict[str, Score]]:
        scores: dict[str, Score] = {}
        # one context per interaction: it holds the same dict the loop fills, so later scorers see earlier ones
        context = ScoringContext(scores=scores, contact=contact, now=now)
        for scorer in self.scorers:
            if scorer.languages is not None and interaction.language not in scorer.languages:
                continue
            try:
                score = scorer.score(interaction, context)
            except Exception as exc:
                log.error("scorer %r failed on %s/%s: %s: %s", scorer.name, interaction.channel,
                          interaction.external_id, type(exc).__name__, exc)
                continue
            if score is None:
                continue
            scores[scorer.name] = score
            if scorer.name == "language" and interaction.language is None and score.label:
                interaction = attrs.evolve(interaction, language=score.label)
        return interaction, scores

    def _find_conversation(self, interaction: Interaction) -> Conversation | None:
        channel, account = interaction.channel, interaction.account
        if interaction.thread_ref:
            return self.store.conversation_by_thread(channel, account, interaction.thread_ref)
        if interaction.in_reply_to:
            return self.store.conversation_of_message(channel, account, interaction.in_reply_to)
        return None

    def _thread(
        self, interaction: Interaction, existing: Conversation | None, *, decision: RouteDecision | None,
        contact: Contact | None, opted_out: bool, now: datetime,
    ) -> tuple[Conversation, str]:
        """Step 9: the conversation as it stands after this interaction (built in one step: every attrs
        construction re-runs the validators, and this runs for every interaction)."""
        if existing is None:
            fields: dict[str, Any] = {
                "id": uuid.uuid4().hex, "channel": interaction.channel, "account": interaction.account,
                "thread_key": interaction.thread_ref or interaction.external_id, "customer": interaction.author,
                "language": interaction.language, "contact_ref": contact.ref if contact else None,
                "opened_at": interaction.created_at, "interaction_count": 1, "updated_at": now,
            }
            tags: tuple[str, ...] = ()
            event = "created"
        else:
            fields = {"interaction_count": existing.interaction_count + 1, "updated_at": now}
            if existing.queue is None and interaction.direction is Direction.INBOUND:
                # never routed: the brand opened this thread, so its first inbound author is the customer
                fields["customer"] = interaction.author
            if existing.language is None and interaction.language:
                fields["language"] = interaction.language
            if contact is not None and existing.contact_ref is None:
                fields["contact_ref"] = contact.ref
            tags = existing.tags
            event = "updated"
        if decision is not None:
            fields.update(_decision_fields(existing, decision))
            tags += tuple(t for t in decision.tags if t not in tags)
        if opted_out and _DO_NOT_CONTACT not in tags:
            tags += (_DO_NOT_CONTACT,)
        elif not opted_out and _DO_NOT_CONTACT in tags and interaction.direction is Direction.INBOUND:
            tags = tuple(t for t in tags if t != _DO_NOT_CONTACT)
        fields["tags"] = tags
        if existing is None:
            return Conversation(**fields), event
        return attrs.evolve(existing, **fields), event

    def _deliver(self, delivery_id: int, update: ConversationUpdate) -> None:
        failures = self.hooks.deliver(update)
        with self.store.transaction():
            if failures:
                self.store.fail_delivery(delivery_id)
            else:
                self.store.finish_delivery(delivery_id)

    def _dead_letter(self, interaction: Interaction, failure: _StepFailed, subject: str, *,
                     retry: bool) -> ProcessResult:
        reason = f"{type(failure.cause).__name__}: {failure.cause}"
        log.error("interaction %s/%s/%s failed at %s: %s", *interaction.key, failure.step, reason)
        if retry:
            raise failure
        with self.store.transaction():
            self.store.mark_seen(*interaction.key)
            self.store.add_dead_letter(step=failure.step, reason=reason, channel=interaction.channel,
                                       document=codec.to_json(interaction), subject=subject)
        return ProcessResult(outcome=Outcome.DEAD_LETTER, interaction=interaction, reason=reason)

    def retry_dead_letters(self, *, limit: int = 100) -> list[ProcessResult]:
        """Take each unresolved dead letter through the pipeline again; resolved ones are marked so."""
        results = []
        for letter in self.store.dead_letters(limit=limit):
            if letter.step == "delivery":
                continue
            interaction = codec.from_json(Interaction, letter.document)
            try:
                result = self.process(interaction, retry=True)
            except _StepFailed as failure:
                with self.store.transaction():
                    self.store.bump_dead_letter(letter.id, f"{failure.step}: {failure.cause}")
                results.append(ProcessResult(outcome=Outcome.DEAD_LETTER, interaction=interaction,
                                             reason=str(failure)))
                continue
            with self.store.transaction():
                self.store.resolve_dead_letter(letter.id)
            results.append(result)
        return results

    def retry_deliveries(self, *, limit: int = 100) -> int:
        """Offer pending host deliveries again; returns how many went through."""
        done = 0
        for pending in self.store.pending_deliveries(limit=limit):
            update = codec.from_json(ConversationUpdate, pending.document)
            if not self.hooks.deliver(update):
                done += 1
                with self.store.transaction():
                    self.store.finish_delivery(pending.id)
            else:
                with self.store.transaction():
                    self.store.fail_delivery(pending.id)
        return done


def _decision_fields(existing: Conversation | None, decision: RouteDecision) -> dict[str, Any]:
    """What a routing decision changes. A new or resolved conversation takes it whole; an open one only when
    the decision is more pressing than where it stands (the router already keeps a sticky owner), so a
    "thanks!" never lowers the priority of an open complaint."""
    if existing is not None and existing.queue is not None and existing.status is not ConversationStatus.RESOLVED \
            and decision.priority.rank >= existing.priority.rank:
        return {}
    return {"status": ConversationStatus.OPEN if existing is None or existing.status is ConversationStatus.RESOLVED
            else existing.status, "queue": decision.queue, "team": decision.team, "assignee": decision.assignee,
            "priority": decision.priority, "sla_due": decision.sla_due, "explanation": decision.explanation,
            "rule_ids": decision.rule_ids}
