"""Outbound checks: a reply reaches the platform exactly once under retries, rate limits are honoured, and
an opted-out person is never contacted."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from scrm_core.errors import ConsentError
from scrm_core.fakes import FakePlatform, Fault, seconds_between
from scrm_core.models import Reply, ReplyStatus
from scrm_core.pipeline import Outcome
from scrm_core.testing._suite_base import ConformanceBase
from scrm_core.testing.harness import ScrmHarness

__all__ = ["ReplyChecks"]


class ReplyChecks(ConformanceBase):
    def conversation(self, h: ScrmHarness, number: int = 1) -> str:
        """Store an inbound message and return its conversation's id."""
        (result,) = h.engine.ingest([self.inbound_interaction(number)])
        if result.outcome is not Outcome.ACCEPTED or result.conversation is None:
            self.fail(f"the inbound message to reply to was not stored ({result.outcome}: {result.reason})")
        assert result.conversation is not None
        return result.conversation.id

    async def _flush(self, h: ScrmHarness) -> list[Reply]:
        try:
            return await h.engine.flush_outbox()
        except Exception as exc:
            self.fail(f"send() let {type(exc).__name__} escape: {exc}; raise ChannelError "
                      "(retryable=True for "
                      "5xx and timeouts) or RateLimited(retry_after=...)")
            raise

    async def _reply(self, h: ScrmHarness, conversation_id: str, text: str) -> Reply:
        try:
            return await h.engine.reply(conversation_id, text, agent="conformance")
        except ConsentError:
            raise
        except Exception as exc:
            self.fail(f"send() let {type(exc).__name__} escape: {exc}; raise ChannelError "
                      "(retryable=True for "
                      "5xx and timeouts) or RateLimited(retry_after=...)")
            raise

    def _check_once(self, fake: FakePlatform, replies: int) -> None:
        accepted = self.accepted_replies(fake)
        if len(accepted) > replies:
            self.fail(f"{replies} repl{'y' if replies == 1 else 'ies'} reached the fake {len(accepted)} "
                      "times: "
                      "send the reply id as the platform's idempotency key (e.g. an Idempotency-Key "
                      "header), or "
                      "implement was_sent() so a retry after an ambiguous failure does not post twice")
        if len(accepted) < replies:
            self.fail(f"only {len(accepted)} of {replies} replies reached the fake (it records effects "
                      "of kind "
                      f"{self.reply_effect!r}): send() must deliver the reply")

    async def check_reply_exactly_once(self, tmp_path: Path) -> None:
        fake = self.need_replies()
        async with self.harness(tmp_path, fake=fake) as h:
            conversation = self.conversation(h)
            for number, fault in enumerate((Fault.server_error(502, after=True),
                                            Fault.timed_out(after=True)), 1):
                fake.faults.push(fault)
                reply = await self._reply(h, conversation, f"Reply {number}: we are on it.")
                for _ in range(3):
                    h.clock.advance(3600)
                    await self._flush(h)
                stored = h.store.get_reply(reply.id)
                assert stored is not None
                if stored[0].status is not ReplyStatus.SENT:
                    self.fail(f"a reply was not sent after '{fault.name}' and retries (status "
                              f"{stored[0].status}, error {stored[0].error!r}): raise "
                              "ChannelError(retryable=True) "
                              "for 5xx answers and timeouts so the outbox retries")
                self._check_once(fake, number)

    async def check_send_rate_limit_honoured(self, tmp_path: Path) -> None:
        fake = self.need_replies()
        async with self.harness(tmp_path, fake=fake) as h:
            conversation = self.conversation(h)
            fake.faults.push(Fault.rate_limited(120))
            start = h.clock()
            reply = await self._reply(h, conversation, "Thanks for waiting.")
            for step in (30, 30, 59):
                h.clock.advance(step)
                await self._flush(h)
            reset = start + timedelta(seconds=120)
            early = [r for r in fake.requests if start < r.at < reset]
            if early:
                self.fail(f"a request reached the fake {seconds_between(early[0].at, reset):.0f} s "
                          "before the "
                          "rate-limit reset: honour Retry-After / x-rate-limit-reset by raising "
                          "RateLimited(retry_after=...)")
            h.clock.advance(2)
            await self._flush(h)
            stored = h.store.get_reply(reply.id)
            if stored is None or stored[0].status is not ReplyStatus.SENT:
                self.fail("the reply was not sent after the rate-limit reset: RateLimited must be retryable")
            self._check_once(fake, 1)

    async def check_opted_out_never_contacted(self, tmp_path: Path) -> None:
        fake = self.need_replies()
        async with self.harness(tmp_path, fake=fake) as h:
            first = self.conversation(h, 1)
            h.engine.opt_out(self.channel_name, self.customer(1).platform_id)
            try:
                await h.engine.reply(first, "Are you still there?")
            except ConsentError:
                pass
            else:
                self.fail("reply() to an opted-out person did not raise ConsentError")
            second = self.conversation(h, 2)
            fake.faults.push(Fault.server_error(503))
            queued = await self._reply(h, second, "We will get back to you.")
            before = len(fake.requests)
            h.engine.opt_out(self.channel_name, self.customer(2).platform_id)
            h.clock.advance(3600)
            await self._flush(h)
            if len(fake.requests) > before or self.accepted_replies(fake):
                self.fail("a reply queued before the opt-out reached the fake: consent is checked at send "
                          "time; never send from outside the engine's outbox")
            stored = h.store.get_reply(queued.id)
            if stored is None or stored[0].status is not ReplyStatus.FAILED:
                self.fail("a reply queued before the opt-out is still pending: it must end as failed")
