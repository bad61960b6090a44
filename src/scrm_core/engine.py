"""The host-facing facade: start the engine, feed it webhooks, polls and recorded interactions, reply, hand
off, resolve, honour consent, retry what failed.

    async with Engine(load_config("scrm.toml")) as engine:
        await engine.handle_webhook("support_x", request)
        await engine.poll()
        await engine.reply(conversation_id, "We're on it!", agent="ana")
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any

import attrs
import httpx
import pluggy
from attrs import frozen

from scrm_core.channels import Channel, WebhookRequest, WebhookResponse
from scrm_core.config import Config
from scrm_core.consent import ConsentPolicy, ConsentState
from scrm_core.errors import (
    ChannelError,
    ConfigError,
    ConsentError,
    InputError,
    PayloadTooLarge,
    PluginError,
    RateLimited,
    ScrmError,
    UnknownChannel,
)
from scrm_core.http import create_client
from scrm_core.models import (
    Conversation,
    ConversationStatus,
    HandOff,
    HandOffStatus,
    Interaction,
    Reply,
    ReplyStatus,
    Visibility,
    utcnow,
)
from scrm_core.pipeline import Outcome, Pipeline, ProcessResult
from scrm_core.plugins import Hooks, Registry, create_plugin_manager
from scrm_core.routing import build_router
from scrm_core.routing.escalation import Escalation, escalate_overdue
from scrm_core.scoring import build_scorers
from scrm_core.store import Store, open_store, subject_hash
from scrm_core.validation import check_sections

__all__ = ["Engine", "PollReport", "WebhookResult"]

log = logging.getLogger("scrm.engine")

_MAX_BACKOFF = timedelta(hours=1)


@frozen(kw_only=True)
class WebhookResult:
    """What a webhook request came to: a direct challenge answer, or the outcome of each interaction."""

    response: WebhookResponse | None = None
    results: tuple[ProcessResult, ...] = ()

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome is outcome)

    def summary(self) -> dict[str, int]:
        return result_counts(self.results)


@frozen(kw_only=True)
class PollReport:
    """One poll run: the outcomes, and per channel/account what stopped it early (rate limit, error)."""

    results: tuple[ProcessResult, ...] = ()
    pages: int = 0
    problems: tuple[str, ...] = ()
    waits: tuple[tuple[str, str, datetime], ...] = ()


class Engine:
    """One scrm deployment: config, plugins, store, channels and the pipeline, started and stopped together."""

    def __init__(
        self, config: Config | None = None, *, plugin_manager: pluggy.PluginManager | None = None,
        store: Store | None = None, http: httpx.AsyncClient | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.config = config or Config.default()
        self.pm = plugin_manager or create_plugin_manager(
            load_plugins=self.config.load_plugins, disable=self.config.disable_plugins)
        self.hooks = Hooks(self.pm)
        self.registry = Registry(self.pm)
        # every problem at once: the sections, then what scoring and routing refuse while compiling
        problems = check_sections(self.config, self.registry)
        try:
            self.scorers = build_scorers(self.registry, self.config.scoring)
        except ConfigError as exc:
            problems += exc.problems
        self.clock = clock
        self._own_store = store is None
        self.store = store or open_store(self.config.store_url, base_dir=self.config.base_dir)
        try:
            self.router = build_router(self.config.routing, self.registry, store=self.store,
                                       timezone=self.config.timezone)
        except ConfigError as exc:
            problems += exc.problems
        if problems:
            if self._own_store:
                self.store.close()
            raise ConfigError(problems, self.config.source)
        self._own_http = http is None
        self.http = http or create_client()
        self.pipeline = Pipeline(store=self.store, hooks=self.hooks, scorers=self.scorers, router=self.router,
                                 consent=ConsentPolicy.from_settings(self.config.consent), clock=clock)
        try:
            self.channels = self._build_channels()
        except BaseException:
            if self._own_store:
                self.store.close()
            raise
        self._not_before: dict[tuple[str, str], datetime] = {}
        self._started = False

    def _build_channels(self) -> dict[str, Channel]:
        channels: dict[str, Channel] = {}
        for name, section in self.config.channels.items():
            if not section.enabled:
                continue
            registered = self.registry.channels[section.type]
            try:
                channels[name] = registered.value(name=name, settings=section.settings, secrets=section.secrets,
                                                  http=self.http)
            except ScrmError:
                raise
            except Exception as exc:
                raise PluginError(f"channel {name!r} (type {section.type!r} from plugin {registered.plugin!r}) "
                                  f"failed to start: {type(exc).__name__}: {exc}", plugin=registered.plugin) from exc
        return channels

    # -------------------------------------------------------------------------------------------- lifecycle
    async def __aenter__(self) -> Engine:
        self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    def start(self) -> None:
        if not self._started:
            self._started = True
            self.hooks.startup(self)

    async def aclose(self) -> None:
        if self._started:
            self.hooks.shutdown(self)
            self._started = False
        for channel in self.channels.values():
            try:
                await channel.aclose()
            except Exception as exc:
                log.error("channel %r failed to close: %s", channel.name, exc)
        if self._own_http:
            await self.http.aclose()
        if self._own_store:
            self.store.close()

    def channel(self, name: str) -> Channel:
        try:
            return self.channels[name]
        except KeyError:
            raise UnknownChannel(f"no channel {name!r} is configured (configured: "
                                 f"{', '.join(sorted(self.channels)) or 'none'})", channel=name) from None

    # ---------------------------------------------------------------------------------------------- inbound
    async def handle_webhook(self, channel_name: str, request: WebhookRequest) -> WebhookResult:
        """Steps 1-10 for one webhook request. Raises an InputError subclass (with ``status``) for a request
        that must be refused: unknown channel, oversized, bad signature, malformed; nothing is stored then."""
        channel = self.channel(channel_name)
        if len(request.body) > self.config.max_body_bytes:
            raise PayloadTooLarge(f"body is over the {self.config.max_body_bytes}-byte limit", channel=channel_name)
        response = await channel.verify(request)
        if response is not None:
            return WebhookResult(response=response)
        try:
            interactions = channel.parse(request)
        except InputError:
            raise
        except Exception as exc:  # a parser bug: the web app answers 500, so the platform delivers again later
            raise PluginError(f"channel {channel_name!r} failed to parse: {type(exc).__name__}: {exc}") from exc
        return WebhookResult(results=tuple(self.pipeline.process_many(
            interactions, validated=channel.validates_interactions)))

    def ingest(self, interactions: Sequence[Interaction]) -> list[ProcessResult]:
        """Feed already-normalised interactions (a replay, an import) through steps 3-10."""
        return self.pipeline.process_many(interactions)

    async def poll(self, channel_name: str | None = None, *, max_pages: int | None = None) -> PollReport:
        """Poll every polling channel (or one) from its stored cursors until it has no more pages.

        The cursor advances only after a page is committed, so a crash re-reads at most one page, which
        deduplication absorbs. A rate-limited account is skipped until its reset time.
        """
        names = [channel_name] if channel_name else [n for n, c in self.channels.items()
                                                     if c.capabilities.polling]
        results: list[ProcessResult] = []
        problems: list[str] = []
        waits: list[tuple[str, str, datetime]] = []
        pages = 0
        for name in names:
            channel = self.channel(name)
            for account in channel.accounts:
                not_before = self._not_before.get((name, account))
                if not_before is not None and not_before > self.clock():
                    waits.append((name, account, not_before))
                    continue
                cursor = self.store.get_cursor(name, account)
                while max_pages is None or pages < max_pages:
                    try:
                        page = await channel.poll(account, cursor)
                    except RateLimited as exc:
                        wait = 60.0 if exc.retry_after is None else exc.retry_after
                        until = self.clock() + timedelta(seconds=wait)
                        self._not_before[(name, account)] = until
                        waits.append((name, account, until))
                        break
                    except (ChannelError, InputError) as exc:
                        problems.append(f"{name}/{account}: {exc}")
                        log.error("poll of %s/%s failed: %s", name, account, exc)
                        break
                    pages += 1
                    try:
                        results += self.pipeline.process_many(page.interactions,
                                                              validated=channel.validates_interactions)
                    except InputError as exc:  # the page is refused whole; the cursor stays, nothing is lost
                        problems.append(f"{name}/{account}: page refused: {exc}")
                        log.error("poll of %s/%s: page refused: %s", name, account, exc)
                        break
                    with self.store.transaction():
                        self.store.set_cursor(name, account, page.cursor)
                    cursor = page.cursor
                    if page.retry_after:
                        until = self.clock() + timedelta(seconds=page.retry_after)
                        self._not_before[(name, account)] = until
                        waits.append((name, account, until))
                        break
                    if not page.more:
                        break
        return PollReport(results=tuple(results), pages=pages, problems=tuple(problems), waits=tuple(waits))

    # --------------------------------------------------------------------------------------------- outbound
    def _conversation(self, conversation_id: str) -> Conversation:
        conversation = self.store.get_conversation(conversation_id)
        if conversation is None:
            raise InputError(f"no conversation {conversation_id!r}")
        return conversation

    def _check_consent(self, channel: str, platform_id: str) -> None:
        state = self.store.consent_state(subject_hash(channel, platform_id))
        if state is not None:
            raise ConsentError(f"the customer is {state.replace('_', ' ')} on {channel}; nothing may be sent")

    async def reply(
        self, conversation_id: str, text: str, *, agent: str | None = None,
        visibility: Visibility | str | None = None, in_reply_to: str | None = None, reply_id: str | None = None,
    ) -> Reply:
        """Answer a conversation through its channel. The reply is written to the outbox first; ``reply_id``
        is its idempotency key (a retry with the same id never sends twice)."""
        conversation = self._conversation(conversation_id)
        channel = self.channel(conversation.channel)
        self._check_consent(conversation.channel, conversation.customer.platform_id)
        limit = channel.capabilities.max_text_length
        if limit is not None and len(text) > limit:
            raise InputError(f"reply is {len(text)} characters; {conversation.channel} allows {limit}")
        if in_reply_to is None:
            last = self.store.interactions_of(conversation_id)
            inbound = [s.interaction for s in last if s.interaction.direction.value == "inbound"]
            in_reply_to = inbound[-1].external_id if inbound else None
            if visibility is None and inbound:
                visibility = inbound[-1].visibility
        reply = Reply(
            id=reply_id or uuid.uuid4().hex, conversation_id=conversation_id, channel=conversation.channel,
            account=conversation.account, recipient=conversation.customer, text=text, in_reply_to=in_reply_to,
            visibility=Visibility(visibility or Visibility.PUBLIC), agent=agent, created_at=self.clock(),
        )
        with self.store.transaction():
            if not self.store.add_reply(reply):
                existing = self.store.get_reply(reply.id)
                assert existing is not None
                return existing[0]
        return await self._send(reply, attempts=0)

    async def flush_outbox(self) -> list[Reply]:
        """Send every queued reply whose time has come (after a crash, a rate limit or a platform error)."""
        sent = []
        for reply in self.store.due_replies(self.clock()):
            stored = self.store.get_reply(reply.id)
            sent.append(await self._send(reply, attempts=stored[1] if stored else 0))
        return sent

    async def _send(self, reply: Reply, *, attempts: int) -> Reply:
        channel = self.channel(reply.channel)
        try:
            self._check_consent(reply.channel, reply.recipient.platform_id)
        except ConsentError as exc:
            return self._finish_reply(reply, attempts, error=str(exc))
        try:
            result = None
            if attempts and not channel.capabilities.idempotent_send:
                result = await channel.was_sent(reply)
            if result is None:
                result = await channel.send(reply)
        except ChannelError as exc:
            if exc.retryable:
                delay = timedelta(seconds=exc.retry_after) if exc.retry_after is not None else min(
                    _MAX_BACKOFF, timedelta(seconds=2 ** min(attempts, 12)))
                with self.store.transaction():
                    self.store.update_reply(attempts_reply := attrs.evolve(reply, error=str(exc)),
                                            attempts=attempts + 1, next_attempt_at=self.clock() + delay)
                return attempts_reply
            return self._finish_reply(reply, attempts + 1, error=str(exc))
        done = attrs.evolve(reply, status=ReplyStatus.SENT, external_id=result.external_id, error=None)
        with self.store.transaction():
            self.store.update_reply(done, attempts=attempts + 1, next_attempt_at=None)
        self.hooks.reply_sent(done)
        return done

    def _finish_reply(self, reply: Reply, attempts: int, *, error: str) -> Reply:
        failed = attrs.evolve(reply, status=ReplyStatus.FAILED, error=error)
        with self.store.transaction():
            self.store.update_reply(failed, attempts=attempts, next_attempt_at=None)
        self.hooks.reply_sent(failed)
        return failed

    # ------------------------------------------------------------------------------------ ownership, hand-off
    def resolve(self, conversation_id: str, *, actor: str | None = None) -> Conversation:
        conversation = self._conversation(conversation_id)
        done = attrs.evolve(conversation, status=ConversationStatus.RESOLVED, updated_at=self.clock())
        with self.store.transaction():
            self.store.save_conversation(done)
        if conversation.assignee and conversation.status is not ConversationStatus.RESOLVED:
            self.router.released(conversation.assignee)
        return done

    def hand_off(
        self, conversation_id: str, to: str, reason: str, *, due: datetime | None = None,
        actor: str | None = None, via: str | None = None,
    ) -> HandOff:
        """Delegate a conversation's work to a person or department; tracked until done."""
        conversation = self._conversation(conversation_id)
        now = self.clock()
        handoff = HandOff(id=uuid.uuid4().hex, conversation_id=conversation_id, to=to, owner=to, reason=reason,
                          due=due, via=via, created_at=now, updated_at=now)
        with self.store.transaction():
            self.store.save_handoff(handoff, actor=actor, event=f"created: to {to}: {reason}")
            self.store.save_conversation(attrs.evolve(conversation, status=ConversationStatus.HANDED_OFF,
                                                      updated_at=now))
        self.hooks.handoff_changed(handoff, None, actor)
        return handoff

    def update_hand_off(self, handoff_id: str, *, status: HandOffStatus | str | None = None,
                        owner: str | None = None, actor: str | None = None) -> HandOff:
        previous = self.store.get_handoff(handoff_id)
        if previous is None:
            raise InputError(f"no hand-off {handoff_id!r}")
        changes: dict[str, Any] = {"updated_at": self.clock()}
        if status is not None:
            changes["status"] = HandOffStatus(status)
        if owner is not None:
            changes["owner"] = owner
        current = attrs.evolve(previous, **changes)
        what = ", ".join(f"{k} {v}" for k, v in changes.items() if k != "updated_at") or "touched"
        with self.store.transaction():
            self.store.save_handoff(current, actor=actor, event=what)
            if current.status in (HandOffStatus.DONE, HandOffStatus.CANCELLED):
                conversation = self.store.get_conversation(current.conversation_id)
                if conversation is not None and conversation.status is ConversationStatus.HANDED_OFF:
                    self.store.save_conversation(attrs.evolve(conversation, status=ConversationStatus.OPEN,
                                                              updated_at=current.updated_at))
        self.hooks.handoff_changed(current, previous, actor)
        return current

    # ---------------------------------------------------------------------------------------------- consent
    def opt_out(self, channel: str, platform_id: str, *, reason: str = "by request") -> None:
        with self.store.transaction():
            self.store.set_consent(subject_hash(channel, platform_id), ConsentState.OPTED_OUT, reason)

    def opt_in(self, channel: str, platform_id: str, *, reason: str = "by request") -> None:
        with self.store.transaction():
            self.store.set_consent(subject_hash(channel, platform_id), None, reason)

    def erase(self, channel: str, platform_id: str) -> int:
        """Right to erasure: delete everything of this person on this channel and suppress what comes later."""
        with self.store.transaction():
            removed = self.store.erase_subject(channel, platform_id)
            self.store.set_consent(subject_hash(channel, platform_id), ConsentState.ERASED, "erasure")
        return removed

    # ---------------------------------------------------------------------------------------- housekeeping
    def retry(self) -> tuple[list[ProcessResult], int]:
        """Retry dead letters and pending host deliveries; returns the retried results and deliveries done."""
        return self.pipeline.retry_dead_letters(), self.pipeline.retry_deliveries()

    def escalate(self) -> list[Escalation]:
        """Move each overdue open conversation one step up its escalation chain (advocate -> team lead ->
        department head, as configured); every step is recorded. Call it periodically (``scrm escalate``)."""
        return escalate_overdue(self.store, self.router, self.clock())

    def inbox(self, *, status: str | None = "open", queue: str | None = None, limit: int = 100) -> list[Conversation]:
        return self.store.list_conversations(status=status, queue=queue, limit=limit)


def result_counts(results: Iterable[ProcessResult]) -> dict[str, int]:
    counts = {outcome.value: 0 for outcome in Outcome}
    for result in results:
        counts[result.outcome.value] += 1
    return counts
