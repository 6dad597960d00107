"""The MMS RPC wire format (docs/PROTOCOL.md §1-§7): prefaces, frame headers and payloads.

Pure functions on bytes; no sockets here. Every integer is big-endian.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum
from typing import Sequence

MAGIC = b"MMSRPC"
MAJOR_VERSION = 1
#: 1.1 adds the GOAWAY's last call id (§7).
MINOR_VERSION = 1
PREFACE = MAGIC + bytes([MAJOR_VERSION, MINOR_VERSION])
HEADER_SIZE = 10

#: The largest frame payload this client accepts (the protocol's default, §2).
DEFAULT_MAX_FRAME_PAYLOAD = 4 * 1024 * 1024
#: The server's defaults until its SETTINGS say otherwise (§3).
DEFAULT_MAX_CONCURRENT_CALLS = 1024
DEFAULT_MAX_METADATA_SIZE = 8192

_HEADER = struct.Struct(">IBBI")


class FrameType(IntEnum):
    SETTINGS = 0x01
    REQUEST = 0x02
    RESPONSE = 0x03
    STATUS = 0x04
    CANCEL = 0x05
    PING = 0x06
    PONG = 0x07
    GOAWAY = 0x08


#: RESPONSE flag: this message ends a unary call with status OK (§4).
FLAG_END_OK = 0x01


class Setting(IntEnum):
    MAX_FRAME_PAYLOAD = 0x1
    MAX_CONCURRENT_CALLS = 0x2
    MAX_METADATA_SIZE = 0x3


class GoAwayCode(IntEnum):
    NO_ERROR = 0
    PROTOCOL_ERROR = 1
    FRAME_TOO_LARGE = 2
    UNSUPPORTED_VERSION = 3
    RESOURCE_EXHAUSTED = 4
    IDLE_TIMEOUT = 5
    KEEPALIVE_TIMEOUT = 6
    INTERNAL_ERROR = 7
    BAD_PREFACE = 8
    TOO_MANY_PINGS = 9


class ProtocolError(Exception):
    """The peer broke a rule of docs/PROTOCOL.md; the connection cannot go on."""


@dataclass(frozen=True)
class Header:
    length: int
    type: int
    flags: int
    call_id: int


@dataclass(frozen=True)
class Status:
    code: int
    message: str
    details: bytes
    trailing_metadata: list[tuple[str, str]]


@dataclass(frozen=True)
class GoAway:
    code: int
    reason: str
    #: The highest call id the server runs (protocol 1.1); calls above it did not run. None from a 1.0 server.
    last_call_id: int | None = None


Metadata = Sequence[tuple[str, str]]


def check_preface(data: bytes) -> tuple[int, int]:
    """The server's (major, minor) version from its 8-byte preface."""
    if len(data) != 8 or data[:6] != MAGIC:
        raise ProtocolError(f"the server's first bytes are not an MMS preface: {data[:8]!r}")
    return data[6], data[7]


def encode_header(type_: int, flags: int, call_id: int, length: int) -> bytes:
    return _HEADER.pack(length, type_, flags, call_id)


def decode_header(data: bytes) -> Header:
    length, type_, flags, call_id = _HEADER.unpack(data)
    return Header(length, type_, flags, call_id)


def frame(type_: int, call_id: int, payload: bytes = b"", flags: int = 0) -> bytes:
    return encode_header(type_, flags, call_id, len(payload)) + payload


def _string16(text: str, what: str) -> bytes:
    if "\x00" in text:
        raise ValueError(f"{what} contains U+0000 (NUL)")
    raw = text.encode("utf-8")
    if len(raw) > 0xFFFF:
        raise ValueError(f"{what} is {len(raw)} bytes of UTF-8, over the 65,535 a string16 holds")
    return struct.pack(">H", len(raw)) + raw


def _is_metadata_key(key: str) -> bool:
    return key != "" and all(c in "abcdefghijklmnopqrstuvwxyz0123456789-_." for c in key)


def encode_metadata(metadata: Metadata) -> bytes:
    if len(metadata) > 0xFFFF:
        raise ValueError(f"{len(metadata)} metadata entries, over the 65,535 the count holds")
    parts = [struct.pack(">H", len(metadata))]
    for key, value in metadata:
        if not _is_metadata_key(key):
            raise ValueError(f"metadata key {key!r} is not lower-case ASCII letters, digits, '-', '_', '.'")
        parts.append(_string16(key, f"metadata key {key!r}"))
        parts.append(_string16(value, f"metadata value of {key!r}"))
    return b"".join(parts)


def metadata_size(metadata: Metadata) -> int:
    """What the receiver's MAX_METADATA_SIZE counts: the key and value bytes (§2)."""
    return sum(len(k.encode("utf-8")) + len(v.encode("utf-8")) for k, v in metadata)


def encode_request(method: str, timeout_micros: int, metadata: Metadata, message: bytes) -> bytes:
    return _string16(method, "method") + struct.pack(">Q", timeout_micros) + encode_metadata(metadata) + message


class _Reader:
    def __init__(self, data: bytes, what: str) -> None:
        self.data = data
        self.offset = 0
        self.what = what

    def take(self, count: int, field: str) -> bytes:
        end = self.offset + count
        if end > len(self.data):
            raise ProtocolError(f"{self.what} ends inside its {field}")
        chunk = self.data[self.offset : end]
        self.offset = end
        return chunk

    @property
    def remaining(self) -> int:
        return len(self.data) - self.offset

    def u8(self, field: str) -> int:
        return self.take(1, field)[0]

    def u16(self, field: str) -> int:
        value: int = struct.unpack(">H", self.take(2, field))[0]
        return value

    def u32(self, field: str) -> int:
        value: int = struct.unpack(">I", self.take(4, field))[0]
        return value

    def string16(self, field: str) -> str:
        raw = self.take(self.u16(field), field)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ProtocolError(f"{self.what}'s {field} is not valid UTF-8") from error

    def metadata(self) -> list[tuple[str, str]]:
        count = self.u16("metadata count")
        return [(self.string16("metadata key"), self.string16("metadata value")) for _ in range(count)]

    def done(self) -> None:
        if self.offset != len(self.data):
            raise ProtocolError(f"{self.what} has {len(self.data) - self.offset} bytes past its end")


def decode_status(payload: bytes) -> Status:
    reader = _Reader(payload, "STATUS")
    code = reader.u8("code")
    message = reader.string16("message")
    details = reader.take(reader.u32("details length"), "details")
    trailing = reader.metadata()
    reader.done()
    return Status(code, message, details, trailing)


def decode_goaway(payload: bytes) -> GoAway:
    reader = _Reader(payload, "GOAWAY")
    code = reader.u32("code")
    reason = reader.string16("reason")
    # Protocol 1.1 appends the last call id; a 1.0 server sends none.
    last_call_id = reader.u32("last call id") if reader.remaining >= 4 else None
    return GoAway(code, reason, last_call_id)


def encode_goaway(code: int, reason: str) -> bytes:
    return struct.pack(">I", code) + _string16(reason, "GOAWAY reason")


def decode_settings(payload: bytes) -> dict[int, int]:
    if len(payload) % 6 != 0:
        raise ProtocolError(f"SETTINGS payload of {len(payload)} bytes is not a multiple of 6")
    settings: dict[int, int] = {}
    for offset in range(0, len(payload), 6):
        key, value = struct.unpack_from(">HI", payload, offset)
        settings[key] = value
    return settings
