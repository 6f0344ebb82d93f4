"""Length-prefixed JSON frames between the grader and a sandboxed submission."""

from __future__ import annotations

import json
import socket
import struct

_HEADER = struct.Struct("!I")
#: A frame larger than this is treated as hostile (the output cap keeps honest ones far below).
MAX_FRAME = 64 * 1024 * 1024


class ProtocolError(Exception):
    """The other side sent something that is not a frame, or closed the connection."""


def send(sock: socket.socket, message: dict) -> None:
    data = json.dumps(message, ensure_ascii=False).encode("utf-8", "surrogatepass")
    sock.sendall(_HEADER.pack(len(data)) + data)


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    chunks = []
    while size:
        chunk = sock.recv(min(size, 1 << 20))
        if not chunk:
            raise ProtocolError("connection closed")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def receive(sock: socket.socket) -> dict:
    (size,) = _HEADER.unpack(_read_exactly(sock, _HEADER.size))
    if size > MAX_FRAME:
        raise ProtocolError(f"frame too large ({size} bytes)")
    try:
        message = json.loads(_read_exactly(sock, size).decode("utf-8", "replace"))
    except ValueError as exc:
        raise ProtocolError(f"not JSON: {exc}") from exc
    if not isinstance(message, dict):
        raise ProtocolError("not an object")
    return message


def pending(sock: socket.socket) -> bool:
    """Whether unread bytes wait on ``sock`` (a frame nobody asked for)."""
    sock.setblocking(False)
    try:
        return bool(sock.recv(1, socket.MSG_PEEK))
    except (BlockingIOError, InterruptedError):
        return False
    finally:
        sock.setblocking(True)
