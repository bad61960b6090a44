"""Inbound checks: webhooks (parsing, redelivery, signatures, malformed bodies) and polling (cursor resume,
redelivery, rate limits, platform errors)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from scrm_core import codec, schemas
from scrm_core.channels import WebhookRequest
from scrm_core.engine import PollReport
from scrm_core.errors import InputError
from scrm_core.fakes import Fault, seconds_between
from scrm_core.models import Interaction
from scrm_core.pipeline import Outcome
from scrm_core.testing._suite_base import ConformanceBase
from scrm_core.testing.harness import ScrmHarness, stored_interactions

__all__ = ["PollChecks", "WebhookChecks"]


def _count(report: PollReport, outcome: Outcome) -> int:
    return sum(1 for r in report.results if r.outcome is outcome)


class _Validation(ConformanceBase):
    def check_interactions(self, interactions: Sequence[Interaction], where: str) -> None:
        for interaction in interactions:
            if interaction.channel != self.channel_name:
                self.fail(f"{where} produced an interaction with channel {interaction.channel!r}: set "
                          "channel to "
                          f"the instance name (self.name, here {self.channel_name!r}), not the type")
            try:
                schemas.validate("interaction", codec.to_json(interaction))
            except InputError as exc:
                self.fail(f"{where} produced an interaction that breaks interaction.schema.json: {exc}")


class WebhookChecks(_Validation):
    async def check_samples_normalise(self, tmp_path: Path) -> None:
        samples = self.need_webhooks()
        async with self.harness(tmp_path, fake=self.new_fake()) as h:
            channel = h.engine.channel(self.channel_name)
            produced = 0
            for number, body in enumerate(samples, 1):
                headers = self.sign(body, self.secrets)
                request = WebhookRequest(headers=headers, body=body, path=f"/webhooks/{self.channel_name}")
                try:
                    interactions = list(channel.parse(request))
                except InputError as exc:
                    self.fail(f"sample payload #{number} was refused by parse(): {exc}; every sample must "
                              "normalise (or be an event the channel ignores)")
                self.check_interactions(interactions, f"sample payload #{number}")
                produced += len(interactions)
                response = await h.webhook(self.channel_name, body, headers)
                if response.status_code != 200:
                    self.fail(f"a correctly signed sample payload #{number} got HTTP {response.status_code} "
                              f"{response.text[:300]}: verify() must accept the platform's own signature")
            if not produced:
                self.fail("no sample payload produced an interaction: give at least one payload that carries "
                          "a message, and make parse() turn it into an Interaction")

    async def check_redelivery_stored_once(self, tmp_path: Path) -> None:
        samples = self.need_webhooks()
        async with self.harness(tmp_path, fake=self.new_fake()) as h:
            for number, body in enumerate(samples, 1):
                first = await h.webhook(self.channel_name, body, self.sign(body, self.secrets))
                again = await h.webhook(self.channel_name, body, self.sign(body, self.secrets))
                accepted = again.json().get(Outcome.ACCEPTED.value, 0) if again.status_code == 200 else 0
                if first.status_code == 200 and accepted:
                    self.fail(f"channel stored the same event twice: parse() must return stable external_id "
                              f"values for re-delivered events (sample #{number} stored {accepted} new "
                              "interaction(s) on its second delivery)")
            ids = [i.external_id for i in stored_interactions(h.store, self.channel_name)]
            if len(ids) != len(set(ids)):
                self.fail("channel stored the same event twice: parse() must return stable external_id "
                          "values")

    async def check_bad_signature_refused(self, tmp_path: Path) -> None:
        body = self.need_webhooks()[0]
        variants = {
            "signed with the wrong secret": (body, self.sign(body, self.wrong_secrets(self.secrets))),
            "body changed after signing": (body + b" ", self.sign(body, self.secrets)),
            "no signature headers": (body, {"content-type": "application/json"}),
        }
        async with self.harness(tmp_path, fake=self.new_fake()) as h:
            for label, (sent, headers) in variants.items():
                response = await h.webhook(self.channel_name, sent, headers)
                if response.status_code == 200:
                    self.fail(f"a request with a bad signature ({label}) was accepted: verify() must raise "
                              "SignatureError")
                if response.status_code != 401:
                    self.fail(f"a request with a bad signature ({label}) got HTTP {response.status_code} "
                              f"{response.text[:200]} instead of 401: verify() must raise SignatureError")
            if stored_interactions(h.store, self.channel_name):
                self.fail("a request with a bad signature stored interactions: verify() must raise "
                          "SignatureError")

    async def check_malformed_bodies_refused(self, tmp_path: Path) -> None:
        self.need_webhooks()
        bodies = dict(self.malformed_bodies())
        async with self.harness(tmp_path, fake=self.new_fake()) as h:
            for label, body in bodies.items():
                response = await h.webhook(self.channel_name, body, self.sign(body, self.secrets))
                if response.status_code != 400 or response.json().get("error") != "malformed":
                    self.fail(f"a {label} body got HTTP {response.status_code} {response.text[:200]}: "
                              "parse() "
                              "must raise MalformedPayload (HTTP 400, naming what is wrong), never another "
                              "exception or an empty success")
            oversized = b"{" + b" " * h.engine.config.max_body_bytes + b"}"
            response = await h.webhook(self.channel_name, oversized, self.sign(oversized, self.secrets))
            if response.status_code != 413:
                self.fail(f"an oversized body got HTTP {response.status_code}: leave the size cap to "
                          "the core; "
                          "do not read request bodies yourself")


class PollChecks(_Validation):
    async def _poll(self, h: ScrmHarness, where: str) -> PollReport:
        try:
            return await h.engine.poll(self.channel_name)
        except Exception as exc:
            self.fail(f"poll() let {type(exc).__name__} escape {where}: {exc}; raise ChannelError "
                      "(retryable for "
                      "5xx and timeouts), RateLimited or MalformedPayload so the engine can report and retry")
            raise

    async def check_poll_normalises(self, tmp_path: Path) -> None:
        fake = self.need_polling()
        self.publish(fake, 3)
        async with self.harness(tmp_path, fake=fake) as h:
            report = await self._poll(h, "on a normal page")
            self.check_interactions([r.interaction for r in report.results], "poll()")
            if _count(report, Outcome.ACCEPTED) != 3:
                self.fail(f"published 3 items on the fake but poll stored {_count(report, Outcome.ACCEPTED)} "
                          f"(problems: {list(report.problems)}): poll() must return every new item and set "
                          "Page.more while pages remain")

    async def check_poll_resumes_after_restart(self, tmp_path: Path) -> None:
        fake = self.need_polling()
        self.publish(fake, 3)
        async with self.harness(tmp_path, fake=fake) as h:
            await self._poll(h, "on a normal page")
        self.publish(fake, 2)
        async with self.harness(tmp_path, fake=fake) as h:
            report = await self._poll(h, "after a restart")
            accepted, repeated = _count(report, Outcome.ACCEPTED), _count(report, Outcome.DUPLICATE)
            if repeated:
                self.fail(f"after a restart, poll re-delivered {repeated} already-stored item(s): "
                          "poll() must "
                          "resume from the stored cursor (Page.cursor) instead of starting over")
            if accepted != 2:
                self.fail(f"after a restart, poll stored {accepted} of the 2 new items: Page.cursor must let "
                          "poll() continue exactly where it stopped, without loss")
            ids = [i.external_id for i in stored_interactions(h.store, self.channel_name)]
            if len(set(ids)) != 5:
                self.fail(f"5 items were published but {len(set(ids))} are stored after the restart")

    async def check_poll_redelivery_stored_once(self, tmp_path: Path) -> None:
        fake = self.need_polling()
        self.publish(fake, 3)
        async with self.harness(tmp_path, fake=fake) as h:
            await self._poll(h, "on a normal page")
            with h.store.transaction():  # a crash between fetching and committing the cursor
                h.store.set_cursor(self.channel_name, self.account, None)
            report = await self._poll(h, "when polling from the start again")
            if _count(report, Outcome.ACCEPTED):
                self.fail("channel stored the same event twice: poll() must return stable external_id values "
                          f"for items fetched again ({_count(report, Outcome.ACCEPTED)} stored anew)")

    async def check_poll_rate_limit_honoured(self, tmp_path: Path) -> None:
        fake = self.need_polling()
        self.publish(fake, 2)
        fake.faults.push(Fault.rate_limited(120))
        async with self.harness(tmp_path, fake=fake) as h:
            start = h.clock()
            await self._poll(h, "on a 429")
            for step in (30, 30, 59):
                h.clock.advance(step)
                await self._poll(h, "while rate-limited")
            reset = start + timedelta(seconds=120)
            early = [r for r in fake.requests if start < r.at < reset]
            if early:
                gap = seconds_between(early[0].at, reset)
                self.fail(f"a request reached the fake {gap:.0f} s before the rate-limit reset: honour "
                          "Retry-After / x-rate-limit-reset by raising RateLimited(retry_after=...)")
            h.clock.advance(2)
            report = await self._poll(h, "after the reset")
            if _count(report, Outcome.ACCEPTED) != 2:
                self.fail("after the rate-limit reset, poll did not fetch the 2 waiting items "
                          f"(problems: {list(report.problems)})")

    async def check_poll_survives_platform_errors(self, tmp_path: Path) -> None:
        fake = self.need_polling()
        faults = {"a 503": Fault.server_error(503), "a malformed page": self.malformed_page(),
                  "a timeout": Fault.timed_out()}
        async with self.harness(tmp_path, fake=fake) as h:
            for label, fault in faults.items():
                self.publish(fake, 1)
                fake.faults.push(fault)
                cursor = h.store.get_cursor(self.channel_name, self.account)
                report = await self._poll(h, f"on {label}")
                if _count(report, Outcome.ACCEPTED):
                    self.fail(f"poll stored interactions from {label}: refuse the page instead")
                if h.store.get_cursor(self.channel_name, self.account) != cursor:
                    self.fail(f"the cursor moved on {label}: raise instead of returning a Page, so nothing "
                              "is skipped")
                h.clock.advance(3600)
            report = await self._poll(h, "after the errors")
            if _count(report, Outcome.ACCEPTED) != len(faults):
                self.fail(f"after {', '.join(faults)}, the next poll stored "
                          f"{_count(report, Outcome.ACCEPTED)} "
                          f"of the {len(faults)} waiting items: a failed poll must not lose items")

