"""Every hook of scrm. Each docstring is that hook's reference documentation (docs/hooks.md is built from it).

Four kinds of hook, each with one meaning:

* **registration** (``scrm_register_*``): the hook receives a ``register`` callable; what a plugin registers
  is validated and recorded under the plugin's name, and a duplicate name is refused naming both plugins;
* **one decision** (``firstresult``): the first non-None answer wins;
* **collected contributions**: every implementation is called;
* **notifications**: observers are told what happened; their return value is ignored and their errors are
  logged, never allowed to stop the pipeline.

Plugins implement hooks with ``from scrm_core import hookimpl``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from scrm_core.channels import Channel
    from scrm_core.engine import Engine
    from scrm_core.models import (
        Contact,
        Conversation,
        ConversationUpdate,
        HandOff,
        Identity,
        Interaction,
        Reply,
        RouteDecision,
    )
    from scrm_core.routing.base import Condition, RoutingStrategy
    from scrm_core.scoring.base import Scorer

PROJECT_NAME = "scrm"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

# ---------------------------------------------------------------------------------------------------- channels


@hookspec
def scrm_register_channels(register: Callable[[str, type[Channel]], None]) -> None:
    """Register the channel types this plugin provides.

    Called once when the engine starts. Call ``register(type_name, ChannelSubclass)`` for each; the type name
    is what a config section's ``type`` key names (``[channels.support] type = "x"``). A type name already
    registered by another plugin is refused with a PluginError naming both plugins. The class's
    ``config_schema`` validates its config section.
    """


# ----------------------------------------------------------------------------------------------------- scoring


@hookspec
def scrm_register_scorers(register: Callable[[Scorer], None]) -> None:
    """Register scorers (objects following ``scrm_core.scoring.Scorer``).

    Called once at start-up. Every registered scorer is asked about every interaction in a language it
    declares (or every interaction, if it declares ``languages = None``), in an order that respects
    ``requires``. A scorer that raises is logged and skipped for that interaction; the others go on.
    A scorer name registered twice is refused naming both plugins.
    """


# ----------------------------------------------------------------------------------------------------- routing


@hookspec
def scrm_register_strategies(register: Callable[[str, RoutingStrategy], None]) -> None:
    """Register routing strategies by name (objects following ``scrm_core.routing.RoutingStrategy``).

    Rules and queues in the config refer to them by that name (``strategy = "least_loaded"``). Called once at
    start-up; a duplicate name is refused naming both plugins.
    """


@hookspec
def scrm_register_conditions(register: Callable[[str, Condition], None]) -> None:
    """Register condition operators usable in declarative routing rules (``when.<name> = argument``).

    Each condition compiles its argument once, when the rules load, so a bad argument is refused by
    ``scrm check`` with the rule id, not at run time. A duplicate name is refused naming both plugins.
    """


# ---------------------------------------------------------------------------------------------------- config


@hookspec
def scrm_register_config_sections(register: Callable[[str, Mapping[str, Any]], None]) -> None:
    """Register the JSON Schema of a plugin's own ``[plugins.<name>]`` config section.

    ``register(name, schema)``; ``scrm check`` validates that section against it and reports each problem
    with its path. (Channel types carry their schema on the class instead.)
    """


# ------------------------------------------------------------------------------------------- identity and host


@hookspec(firstresult=True)
def scrm_resolve_identity(identity: Identity) -> Contact | None:
    """Map a social identity (channel, account, platform party) to the host CRM's contact.

    Called once per inbound interaction, before scoring. Return a ``Contact`` (its ``tier`` and ``value``
    feed scoring and routing) or None to abstain; the first non-None answer wins. When every implementation
    abstains the conversation simply has no contact. An exception is logged and treated as no answer.
    """


@hookspec
def scrm_deliver(update: ConversationUpdate) -> None:
    """Hand a conversation update to the host CRM.

    Called after the interaction and its conversation are committed to the store, once per interaction, for
    every implementation. The update's JSON form follows ``schemas/conversation-update.schema.json``. If an
    implementation raises, the update stays in the store's delivery queue and is offered again by
    ``Engine.retry()``; so make delivery idempotent on ``(conversation.id, interaction.external_id)``.
    """


# ---------------------------------------------------------------------------------------------- observers


@hookspec
def scrm_interaction_received(interaction: Interaction) -> None:
    """An interaction was accepted: verified, valid, not a duplicate, from someone scrm may engage with.

    Called before scoring. Notification only.
    """


@hookspec
def scrm_interaction_routed(
    interaction: Interaction, conversation: Conversation, decision: RouteDecision
) -> None:
    """An interaction was routed and committed: ``decision`` says where its conversation went and why.

    Notification only.
    """


@hookspec
def scrm_handoff_changed(handoff: HandOff, previous: HandOff | None, actor: str | None) -> None:
    """A hand-off was created (``previous`` is None) or changed status or owner; ``actor`` did it.

    Every call is also an audit event in the store. Notification only.
    """


@hookspec
def scrm_reply_sent(reply: Reply) -> None:
    """A reply left through its channel (``reply.status`` is ``sent`` and ``external_id`` set), or failed for
    good (``status`` is ``failed`` and ``error`` says why). Notification only."""


# --------------------------------------------------------------------------------------------------- lifecycle


@hookspec
def scrm_startup(engine: Engine) -> None:
    """The engine has started: store open, channels built, rules compiled. Called once, before any
    interaction. An exception here is logged with the plugin's name; the engine still starts."""


@hookspec
def scrm_shutdown(engine: Engine) -> None:
    """The engine is stopping; release what the plugin holds. Called once; errors are logged."""
