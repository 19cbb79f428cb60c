"""The exposure model: what each exposed bridge member is, shared by the graph and the rules."""
from __future__ import annotations

from dataclasses import dataclass

from ipclint.bridge import TOOLKIT, ExposedMember
from ipclint.project import Project

RAW_SEND = frozenset({"send", "sendSync", "invoke", "sendToHost", "postMessage"})
RAW_LISTEN = frozenset({"on", "once", "addListener", "prependListener", "prependOnceListener"})


@dataclass(frozen=True, slots=True)
class MemberKind:
    """kind: raw (the ipcRenderer object or electronAPI), raw-method, generic (a caller-supplied
    channel reaches ipcRenderer), fixed (fixed-channel wrapper), power, function, value."""

    kind: str
    generic_send: bool = False
    generic_listen: bool = False
    guarded: bool = False
    allowlist: frozenset[str] = frozenset()
    detail: str = ""


def classify_member(project: Project, member: ExposedMember, wrappers: dict) -> MemberKind:
    v = member.value.value
    if v.kind == "spread" and v.data is not None:
        v = project.resolve(member.value.path, v.data, member.value.scope).value
    if v.kind == "electron":
        name = v.data
        if name == "ipcRenderer":
            return MemberKind("raw", True, True, detail="ipcRenderer")
        if name.startswith("ipcRenderer."):
            method = name.split(".", 1)[1]
            return MemberKind("raw-method", method in RAW_SEND, method in RAW_LISTEN, detail=name)
        return MemberKind("power", detail=f"electron.{name}")
    if v.kind == "external" and v.data[0] == TOOLKIT and v.data[1].startswith("electronAPI"):
        return MemberKind("raw", True, True, detail="electronAPI")
    if v.kind == "call":
        callee = v.data[0]
        if callee.kind == "member" and callee.data[1] == "bind":
            inner = project.resolve(member.value.path, callee.data[0], member.value.scope).value
            if inner.kind == "electron" and inner.data.startswith("ipcRenderer."):
                method = inner.data.split(".", 1)[1]
                return MemberKind("raw-method", method in RAW_SEND, method in RAW_LISTEN, detail=inner.data)
    if v.kind == "fn":
        ops = wrappers.get((member.value.path, v.data), ())
        send = any(w.channel_param is not None and w.op.kind in ("send", "invoke") for w in ops
                   if w.op.receiver == "ipcRenderer")
        listen = any(w.channel_param is not None and w.op.kind in ("on", "remove") for w in ops
                     if w.op.receiver == "ipcRenderer")
        if send or listen:
            return MemberKind("generic", send, listen)
        return MemberKind("function")
    return MemberKind("value")
