"""One MMS RPC connection on asyncio: the handshake, a reader task, and the table of calls.

Many calls share the connection; each has its own call id and its own queue of events that the
reader task fills (docs/PROTOCOL.md §4-§7). The sync client runs this on a background loop.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass

from . import _wire
from ._wire import FrameType, GoAwayCode, Setting
from .errors import RpcError, StatusCode


@dataclass(frozen=True)
class Message:
    """A RESPONSE frame's protobuf bytes."""

    data: bytes


@dataclass(frozen=True)
class End:
    """The end of a call: the server's STATUS, or what the client decided (a lost connection)."""

    status: _wire.Status
    #: True when the server's GOAWAY said this call did not run (its id is above the last call
    #: id, §7): the client may make it again on a new connection.
    not_run: bool = False


Event = Message | End


class Call:
    """A call in flight. Its id stays taken until the server has ended it (§6)."""

    def __init__(self, call_id: int, method: str) -> None:
        self.call_id = call_id
        self.method = method
        self.events: asyncio.Queue[Event] = asyncio.Queue()


def _unavailable(message: str) -> _wire.Status:
    return _wire.Status(int(StatusCode.UNAVAILABLE), message, b"", [])


class Connection:
    """A connected, handshaken connection. Open with :meth:`open`."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, endpoint: str) -> None:
        self._reader = reader
        self._writer = writer
        self.endpoint = endpoint
        self._calls: dict[int, Call] = {}
        self._next_id = 1
        #: The server's limits (§3), defaults until its SETTINGS.
        self.max_frame_payload = _wire.DEFAULT_MAX_FRAME_PAYLOAD
        self.max_concurrent_calls = _wire.DEFAULT_MAX_CONCURRENT_CALLS
        self.max_metadata_size = _wire.DEFAULT_MAX_METADATA_SIZE
        #: After a GOAWAY NO_ERROR: no new calls here; the calls in flight finish.
        self.draining = False
        self.closed = False
        self._close_reason = ""
        self._error_goaway_sent = False
        #: The last call id of the server's GOAWAY, once one came (§7).
        self._last_call_id: int | None = None
        self._reader_task: asyncio.Task[None] | None = None

    @classmethod
    async def open(
        cls,
        host: str,
        port: int,
        *,
        ssl_context: ssl.SSLContext | None,
        server_hostname: str | None,
        connect_timeout: float,
    ) -> Connection:
        """Connects, exchanges prefaces and reads the server's SETTINGS (§1, §3)."""
        endpoint = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(
                    host,
                    port,
                    ssl=ssl_context,
                    server_hostname=(server_hostname or host) if ssl_context else None,
                    limit=2**16,
                ),
                connect_timeout,
            )
        except asyncio.TimeoutError:
            raise RpcError(
                StatusCode.UNAVAILABLE, f"cannot connect to {endpoint}: no answer within {connect_timeout:g} s"
            ) from None
        except ssl.SSLError as error:
            raise RpcError(StatusCode.UNAVAILABLE, f"TLS handshake with {endpoint} failed: {error}") from error
        except OSError as error:
            raise RpcError(
                StatusCode.UNAVAILABLE, f"cannot connect to {endpoint}: {error.strerror or error}"
            ) from error
        connection = cls(reader, writer, endpoint)
        try:
            if ssl_context is not None:
                connection._check_alpn()
            await asyncio.wait_for(connection._handshake(), connect_timeout)
        except asyncio.TimeoutError:
            connection._abort()
            raise RpcError(
                StatusCode.UNAVAILABLE, f"{endpoint} sent no MMS preface and SETTINGS within {connect_timeout:g} s"
            ) from None
        except (RpcError, OSError, _wire.ProtocolError, asyncio.IncompleteReadError) as error:
            connection._abort()
            if isinstance(error, RpcError):
                raise
            if isinstance(error, asyncio.IncompleteReadError):
                raise RpcError(
                    StatusCode.UNAVAILABLE, f"{endpoint} closed the connection during the handshake"
                ) from error
            raise RpcError(StatusCode.UNAVAILABLE, f"handshake with {endpoint} failed: {error}") from error
        connection._reader_task = asyncio.get_running_loop().create_task(connection._read_loop())
        return connection

    def _check_alpn(self) -> None:
        """The server must have selected ALPN ``mms/1`` (docs/PROTOCOL.md §11, "TLS")."""
        ssl_object = self._writer.get_extra_info("ssl_object")
        selected = ssl_object.selected_alpn_protocol() if ssl_object is not None else None
        if selected != "mms/1":
            raise RpcError(
                StatusCode.UNAVAILABLE,
                f"{self.endpoint} did not agree to ALPN mms/1 (it chose {selected or 'none'}): "
                "it is not an MMS server, or something in between ends TLS",
            )

    async def _handshake(self) -> None:
        self._writer.write(_wire.PREFACE)
        await self._writer.drain()
        first = await self._reader.readexactly(8)
        if first.startswith(b"HTTP/"):
            raise RpcError(StatusCode.UNAVAILABLE, f"{self.endpoint} answered HTTP, not the MMS RPC protocol")
        major, minor = _wire.check_preface(first)
        while True:
            header, payload = await self._read_frame()
            if header.type == FrameType.GOAWAY:
                goaway = _wire.decode_goaway(payload)
                raise RpcError(
                    StatusCode.UNAVAILABLE,
                    f"{self.endpoint} refused the connection: {_goaway_name(goaway.code)}: {goaway.reason}",
                )
            if major != _wire.MAJOR_VERSION:
                raise RpcError(
                    StatusCode.UNAVAILABLE,
                    f"{self.endpoint} speaks MMS RPC {major}.{minor}, this client {_wire.MAJOR_VERSION}.{_wire.MINOR_VERSION}",
                )
            if header.type == FrameType.SETTINGS:
                self._apply_settings(payload)
                return
            if header.type == FrameType.PING:
                self._send(FrameType.PONG, 0, payload)
                continue
            raise _wire.ProtocolError(f"expected SETTINGS after the server's preface, got frame type {header.type}")

    async def _read_frame(self) -> tuple[_wire.Header, bytes]:
        header = _wire.decode_header(await self._reader.readexactly(_wire.HEADER_SIZE))
        if header.length > _wire.DEFAULT_MAX_FRAME_PAYLOAD:
            self._send_goaway(
                GoAwayCode.FRAME_TOO_LARGE,
                f"frame of {header.length} bytes, over the {_wire.DEFAULT_MAX_FRAME_PAYLOAD} this client accepts",
            )
            raise _wire.ProtocolError(
                f"the server sent a frame of {header.length} bytes, over this client's limit of {_wire.DEFAULT_MAX_FRAME_PAYLOAD}"
            )
        payload = await self._reader.readexactly(header.length) if header.length else b""
        return header, payload

    def _apply_settings(self, payload: bytes) -> None:
        settings = _wire.decode_settings(payload)
        self.max_frame_payload = settings.get(Setting.MAX_FRAME_PAYLOAD, self.max_frame_payload)
        self.max_concurrent_calls = settings.get(Setting.MAX_CONCURRENT_CALLS, self.max_concurrent_calls)
        self.max_metadata_size = settings.get(Setting.MAX_METADATA_SIZE, self.max_metadata_size)

    @property
    def usable(self) -> bool:
        return not self.closed and not self.draining

    @property
    def calls_in_flight(self) -> int:
        return len(self._calls)

    def start_call(self, method: str, message: bytes, timeout_micros: int, metadata: _wire.Metadata) -> Call:
        """Sends a REQUEST on a fresh call id (§4). Raises RpcError when it cannot be sent."""
        if self.closed:
            raise RpcError(
                StatusCode.UNAVAILABLE, f"connection to {self.endpoint} is closed: {self._close_reason}", method=method
            )
        if self.draining:
            raise RpcError(
                StatusCode.UNAVAILABLE, f"{self.endpoint} sent GOAWAY: no new calls on this connection", method=method
            )
        try:
            payload = _wire.encode_request(method, timeout_micros, metadata, message)
        except ValueError as error:
            raise RpcError(StatusCode.INVALID_ARGUMENT, str(error), method=method) from None
        if len(payload) > self.max_frame_payload:
            raise RpcError(
                StatusCode.RESOURCE_EXHAUSTED,
                f"request of {len(payload)} bytes is over the server's MAX_FRAME_PAYLOAD of {self.max_frame_payload}",
                method=method,
            )
        call = Call(self._allocate_id(), method)
        self._calls[call.call_id] = call
        self._send(FrameType.REQUEST, call.call_id, payload)
        return call

    def _allocate_id(self) -> int:
        # Ids only grow on a connection (§4: a GOAWAY's last call id relies on it); a connection
        # that has used 2^31 of them takes no new calls.
        call_id = self._next_id
        self._next_id += 1
        if self._next_id >= 1 << 31:
            self.draining = True
        return call_id

    def cancel(self, call: Call) -> None:
        """Sends CANCEL for a call the server has not ended yet (§6); its id stays taken until then."""
        if not self.closed and self._calls.get(call.call_id) is call:
            self._send(FrameType.CANCEL, call.call_id)

    async def drain(self) -> None:
        """Waits until the socket's send buffer is below its high-water mark."""
        if not self.closed:
            try:
                await self._writer.drain()
            except (ConnectionError, OSError):
                pass  # the reader task reports the loss to every call

    def _send(self, type_: int, call_id: int, payload: bytes = b"", flags: int = 0) -> None:
        if not self._writer.is_closing():
            self._writer.write(_wire.frame(type_, call_id, payload, flags))

    def _send_goaway(self, code: GoAwayCode, reason: str) -> None:
        if code != GoAwayCode.NO_ERROR:
            if self._error_goaway_sent:
                return  # one error GOAWAY, then the connection closes
            self._error_goaway_sent = True
        self._send(FrameType.GOAWAY, 0, _wire.encode_goaway(int(code), reason))

    async def _read_loop(self) -> None:
        reason = "the server closed the connection"
        try:
            while True:
                header, payload = await self._read_frame()
                self._dispatch(header, payload)
                if self.draining and not self._calls:
                    reason = "closed after the server's GOAWAY, with no call in flight"
                    break
        except asyncio.IncompleteReadError:
            pass
        except _GoAwayError as error:
            reason = str(error)
        except _wire.ProtocolError as error:
            reason = f"protocol error: {error}"
            self._send_goaway(GoAwayCode.PROTOCOL_ERROR, str(error)[:500])
        except (ConnectionError, OSError, ssl.SSLError) as error:
            reason = f"connection lost: {error}"
        except asyncio.CancelledError:
            reason = "the client closed the connection"
        finally:
            self._finish(reason)

    def _dispatch(self, header: _wire.Header, payload: bytes) -> None:
        type_ = header.type
        if type_ in (FrameType.SETTINGS, FrameType.PING, FrameType.PONG, FrameType.GOAWAY):
            if header.call_id != 0:
                raise _wire.ProtocolError(f"connection frame type {type_} on call id {header.call_id}")
            if type_ == FrameType.SETTINGS:
                self._apply_settings(payload)
            elif type_ == FrameType.PING:
                if len(payload) != 8:
                    raise _wire.ProtocolError(f"PING of {len(payload)} bytes, not 8")
                self._send(FrameType.PONG, 0, payload)
            elif type_ == FrameType.GOAWAY:
                goaway = _wire.decode_goaway(payload)
                if goaway.last_call_id is not None:
                    self._end_calls_not_run(goaway)
                if goaway.code != GoAwayCode.NO_ERROR:
                    raise _GoAwayError(f"the server sent GOAWAY {_goaway_name(goaway.code)}: {goaway.reason}")
                self.draining = True
            return
        if type_ in (FrameType.RESPONSE, FrameType.STATUS):
            if header.call_id == 0:
                raise _wire.ProtocolError(f"call frame type {type_} on call id 0")
            call = self._calls.get(header.call_id)
            if call is None:
                return  # not a call of ours in flight: nothing waits for it
            if type_ == FrameType.RESPONSE:
                call.events.put_nowait(Message(payload))
                if header.flags & _wire.FLAG_END_OK:
                    del self._calls[header.call_id]
                    call.events.put_nowait(End(_wire.Status(0, "", b"", [])))
            else:
                del self._calls[header.call_id]
                status = _wire.decode_status(payload)
                # Refused unrun after the GOAWAY (the server wrote it before it read our call).
                not_run = (
                    status.code == int(StatusCode.UNAVAILABLE)
                    and self._last_call_id is not None
                    and header.call_id > self._last_call_id
                )
                call.events.put_nowait(End(status, not_run=not_run))
            return
        if type_ in (FrameType.REQUEST, FrameType.CANCEL):
            raise _wire.ProtocolError(f"the server sent frame type {type_}, which only a client sends")
        raise _wire.ProtocolError(f"unknown frame type {type_}")

    def _end_calls_not_run(self, goaway: _wire.GoAway) -> None:
        """Ends, as not run, every call above the GOAWAY's last call id (§7)."""
        last = goaway.last_call_id
        assert last is not None
        self._last_call_id = last if self._last_call_id is None else min(last, self._last_call_id)
        for call_id in [call_id for call_id in self._calls if call_id > last]:
            call = self._calls.pop(call_id)
            message = f"{self.endpoint} went away ({_goaway_name(goaway.code)}: {goaway.reason}) before running the call"
            call.events.put_nowait(End(_unavailable(message), not_run=True))

    def _finish(self, reason: str) -> None:
        """Closes the socket and ends every call still in flight with UNAVAILABLE (§7)."""
        self.closed = True
        self._close_reason = reason
        calls, self._calls = self._calls, {}
        for call in calls.values():
            call.events.put_nowait(End(_unavailable(f"{self.endpoint}: {reason}")))
        self._abort()

    def _abort(self) -> None:
        self.closed = True
        if not self._writer.is_closing():
            self._writer.close()

    async def close(self) -> None:
        """Says GOAWAY NO_ERROR, ends the reader and closes the socket; calls in flight end UNAVAILABLE."""
        if not self.closed:
            self._send_goaway(GoAwayCode.NO_ERROR, "client closing")
        if self._reader_task is not None and not self._reader_task.done():
            self._reader_task.cancel()
            try:
                await self._reader_task
            except asyncio.CancelledError:
                pass
        self._finish("the client closed the connection")
        try:
            await self._writer.wait_closed()
        except (ConnectionError, OSError, ssl.SSLError):
            pass


class _GoAwayError(Exception):
    pass


def _goaway_name(code: int) -> str:
    try:
        return GoAwayCode(code).name
    except ValueError:
        return f"code {code}"
