"""The explicit rule registry, sorted by code. Adding a rule: its module, one line here, fixtures."""
from __future__ import annotations

from typing import Any

from ipclint.rules._base import Rule
from ipclint.rules.duplicate_handler import duplicate_handler
from ipclint.rules.expose_node_api import expose_node_api
from ipclint.rules.expose_raw_ipc import expose_raw_ipc
from ipclint.rules.insecure_webpreferences import insecure_webpreferences
from ipclint.rules.large_payload import large_payload
from ipclint.rules.leak_ipc_event import leak_ipc_event
from ipclint.rules.listener_leak import listener_leak
from ipclint.rules.magic_channel import magic_channel
from ipclint.rules.non_cloneable_payload import non_cloneable_payload
from ipclint.rules.prefer_invoke import prefer_invoke
from ipclint.rules.remote_content_preload import remote_content_preload
from ipclint.rules.renderer_chosen_target import renderer_chosen_target
from ipclint.rules.sync_ipc import sync_ipc
from ipclint.rules.tainted_sink import tainted_sink
from ipclint.rules.unchecked_sender import unchecked_sender
from ipclint.rules.unhandled_channel import unhandled_channel
from ipclint.rules.unused_handler import unused_handler
from ipclint.rules.unvalidated_handler import unvalidated_handler
from ipclint.rules.weak_allowlist import weak_allowlist
from ipclint.rules.weak_sender_check import weak_sender_check

ALL_RULES: tuple[Rule[Any], ...] = tuple(sorted((
    expose_raw_ipc,
    leak_ipc_event,
    listener_leak,
    magic_channel,
    sync_ipc,
    unhandled_channel,
    unused_handler,
    duplicate_handler,
    unvalidated_handler,
    tainted_sink,
    unchecked_sender,
    insecure_webpreferences,
    non_cloneable_payload,
    expose_node_api,
    prefer_invoke,
    renderer_chosen_target,
    large_payload,
    weak_allowlist,
    weak_sender_check,
    remote_content_preload,
), key=lambda r: r.code))

RULES_BY_CODE = {r.code: r for r in ALL_RULES}
RULES_BY_NAME = {r.name: r for r in ALL_RULES}
