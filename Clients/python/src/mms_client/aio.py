"""The asyncio client. The sync :class:`mms_client.Client` runs this one on a background loop.

    async with AsyncClient("127.0.0.1:7450", token=token) as client:
        status = await client.get_migration_status(GetMigrationStatusRequest(identity="ashaw@contoso.com"))

Cancel a call by cancelling its task: the client sends CANCEL and the task ends with
``asyncio.CancelledError`` (docs/PROTOCOL.md §6).
"""

from __future__ import annotations

import asyncio
import math
import ssl
import time
from enum import Enum
from types import TracebackType
from typing import Generic, Sequence, TypeVar

from google.protobuf.message import DecodeError
from google.protobuf.message import Message as ProtoMessage

from . import messages as pb
from ._connection import Call, Connection, End, Message
from .errors import RpcError, StatusCode
from .tls import TLSConfig

Response = TypeVar("Response", bound=ProtoMessage)

DEFAULT_PORT = 7450


class _Default(Enum):
    TIMEOUT = 0


#: Passed as ``timeout``: use the client's default timeout.
DEFAULT = _Default.TIMEOUT
Timeout = float | None | _Default
Metadata = Sequence[tuple[str, str]]


def parse_endpoint(endpoint: str) -> tuple[str, int]:
    """``host:port``, ``[v6]:port`` or ``host`` (port 7450)."""
    text = endpoint.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
    else:
        host, port_text = text, ""
    if not host:
        raise ValueError(f"endpoint {endpoint!r} has no host: give HOST:PORT, e.g. 127.0.0.1:7450")
    if port_text == "":
        return host, DEFAULT_PORT
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"endpoint {endpoint!r} has no valid port: give HOST:PORT with a port from 1 to 65535")
    return host, int(port_text)


class AsyncClient:
    """A client of one MMS server: one connection at a time, shared by every call.

    - ``endpoint``: ``HOST:PORT`` of the server.
    - ``token``: the bearer token, sent as ``authorization: Bearer <token>`` metadata on every call.
    - ``tls``: ``None`` for plain TCP, ``True`` for TLS with the system's CAs, a :class:`TLSConfig`,
      or a ready ``ssl.SSLContext`` (offer ALPN ``mms/1`` in it).
    - ``timeout``: the default deadline of a unary call, in seconds (``None``: none). A stream has
      no default deadline.
    - ``metadata``: more entries sent on every call.

    A connection the server closes (idle timeout, GOAWAY) is replaced by a new one on the next call.
    """

    def __init__(
        self,
        endpoint: str,
        *,
        token: str | None = None,
        tls: bool | TLSConfig | ssl.SSLContext | None = None,
        timeout: float | None = 30.0,
        connect_timeout: float = 10.0,
        metadata: Metadata = (),
    ) -> None:
        self.host, self.port = parse_endpoint(endpoint)
        self.endpoint = endpoint
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self._metadata: list[tuple[str, str]] = list(metadata)
        if token is not None:
            self._metadata.insert(0, ("authorization", f"Bearer {token}"))
        self._server_hostname: str | None = None
        if tls is True:
            self._ssl: ssl.SSLContext | None = TLSConfig().context()
        elif isinstance(tls, TLSConfig):
            self._ssl = tls.context()
            self._server_hostname = tls.server_hostname
        elif isinstance(tls, ssl.SSLContext):
            self._ssl = tls
        else:
            self._ssl = None
        self._connection: Connection | None = None
        self._old: list[Connection] = []
        self._lock: asyncio.Lock | None = None

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        await self.close()

    async def connect(self) -> None:
        """Opens the connection now rather than on the first call."""
        await self._usable_connection(self.connect_timeout)

    async def close(self) -> None:
        """Closes the connection; calls still in flight end with UNAVAILABLE."""
        connections = ([self._connection] if self._connection else []) + self._old
        self._connection, self._old = None, []
        for connection in connections:
            await connection.close()

    async def _usable_connection(self, connect_timeout: float) -> Connection:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._connection is not None and self._connection.usable:
                return self._connection
            if self._connection is not None and not self._connection.closed:
                self._old.append(self._connection)  # draining: its calls finish there
            self._old = [c for c in self._old if not c.closed]
            self._connection = None
            self._connection = await Connection.open(
                self.host,
                self.port,
                ssl_context=self._ssl,
                server_hostname=self._server_hostname,
                connect_timeout=connect_timeout,
            )
            return self._connection

    def _deadline(self, timeout: Timeout, default: float | None) -> float | None:
        seconds = default if isinstance(timeout, _Default) else timeout
        if seconds is None or math.isinf(seconds):
            return None
        if seconds < 0:
            raise ValueError(f"timeout {seconds} is negative")
        return time.monotonic() + seconds

    async def _start(
        self, method: str, request: ProtoMessage, deadline: float | None, metadata: Metadata
    ) -> tuple[Connection, Call]:
        try:
            body = request.SerializeToString()
        except Exception as error:  # an unset required field cannot happen in proto3; be plain
            raise RpcError(
                StatusCode.INVALID_ARGUMENT, f"cannot encode {type(request).__name__}: {error}", method=method
            ) from error
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            raise RpcError(StatusCode.DEADLINE_EXCEEDED, "deadline passed before the call was sent", method=method)
        connect_timeout = self.connect_timeout if remaining is None else min(self.connect_timeout, remaining)
        connection = await self._usable_connection(connect_timeout)
        remaining = None if deadline is None else max(deadline - time.monotonic(), 0.000001)
        timeout_micros = 0 if remaining is None else max(1, int(remaining * 1_000_000))
        call = connection.start_call(method, body, timeout_micros, [*self._metadata, *metadata])
        try:
            await connection.drain()
        except asyncio.CancelledError:
            connection.cancel(call)
            raise
        return connection, call

    async def _next_event(self, connection: Connection, call: Call, deadline: float | None) -> Message | End:
        """The call's next event; on the deadline or a cancel, sends CANCEL (§6)."""
        try:
            if deadline is None:
                return await call.events.get()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise asyncio.TimeoutError
            return await asyncio.wait_for(call.events.get(), remaining)
        except asyncio.TimeoutError:
            connection.cancel(call)
            raise RpcError(
                StatusCode.DEADLINE_EXCEEDED,
                "the call's deadline passed before the server answered",
                method=call.method,
            ) from None
        except asyncio.CancelledError:
            connection.cancel(call)
            raise

    async def unary(
        self,
        method: str,
        request: ProtoMessage,
        response_type: type[Response],
        *,
        timeout: Timeout = DEFAULT,
        metadata: Metadata = (),
    ) -> Response:
        """Calls any unary method by its full name, e.g. ``mms.v1.AdminService/CreateTenant``."""
        deadline = self._deadline(timeout, self.timeout)
        # A call the server's GOAWAY says did not run is made again on a new connection (§7).
        for attempt in range(3):
            connection, call = await self._start(method, request, deadline, metadata)
            held: bytes | None = None
            while True:
                event = await self._next_event(connection, call, deadline)
                if isinstance(event, Message):
                    held = event.data
                    continue
                break
            assert isinstance(event, End)
            if event.not_run and attempt < 2:
                continue
            status = event.status
            if status.code != 0:
                raise RpcError(
                    StatusCode.of(status.code), status.message, status.details, status.trailing_metadata, method
                )
            if held is None:
                raise RpcError(
                    StatusCode.INTERNAL, "the server ended a unary call OK without a response message", method=method
                )
            return _decode(response_type, held, method)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def stream(
        self,
        method: str,
        request: ProtoMessage,
        response_type: type[Response],
        *,
        timeout: float | None = None,
        metadata: Metadata = (),
    ) -> AsyncStream[Response]:
        """Calls any server-streaming method by its full name; iterate the result."""
        return AsyncStream(self, method, request, response_type, self._deadline(timeout, None), metadata)

    # mms.v1.Health

    async def health_check(
        self, request: pb.HealthCheckRequest | None = None, *, timeout: Timeout = DEFAULT, metadata: Metadata = ()
    ) -> pb.HealthCheckResponse:
        return await self.unary(
            "mms.v1.Health/Check",
            request or pb.HealthCheckRequest(),
            pb.HealthCheckResponse,
            timeout=timeout,
            metadata=metadata,
        )

    # mms.v1.AdminService

    async def who_am_i(
        self, request: pb.WhoAmIRequest | None = None, *, timeout: Timeout = DEFAULT, metadata: Metadata = ()
    ) -> pb.WhoAmIResponse:
        return await self.unary(
            "mms.v1.AdminService/WhoAmI",
            request or pb.WhoAmIRequest(),
            pb.WhoAmIResponse,
            timeout=timeout,
            metadata=metadata,
        )

    # mms.v1.MigrationService

    async def start_meeting_migration(
        self, request: pb.StartMeetingMigrationRequest, *, timeout: Timeout = DEFAULT, metadata: Metadata = ()
    ) -> pb.StartMeetingMigrationResponse:
        return await self.unary(
            "mms.v1.MigrationService/StartMeetingMigration",
            request,
            pb.StartMeetingMigrationResponse,
            timeout=timeout,
            metadata=metadata,
        )

    async def get_migration_status(
        self,
        request: pb.GetMigrationStatusRequest | None = None,
        *,
        timeout: Timeout = DEFAULT,
        metadata: Metadata = (),
    ) -> pb.GetMigrationStatusResponse:
        return await self.unary(
            "mms.v1.MigrationService/GetMigrationStatus",
            request or pb.GetMigrationStatusRequest(),
            pb.GetMigrationStatusResponse,
            timeout=timeout,
            metadata=metadata,
        )

    async def list_meeting_outcomes(
        self, request: pb.ListMeetingOutcomesRequest, *, timeout: Timeout = DEFAULT, metadata: Metadata = ()
    ) -> pb.ListMeetingOutcomesResponse:
        return await self.unary(
            "mms.v1.MigrationService/ListMeetingOutcomes",
            request,
            pb.ListMeetingOutcomesResponse,
            timeout=timeout,
            metadata=metadata,
        )

    def watch_migration(
        self, request: pb.WatchMigrationRequest | None = None, *, timeout: float | None = None, metadata: Metadata = ()
    ) -> AsyncStream[pb.MigrationStatus]:
        return self.stream(
            "mms.v1.MigrationService/WatchMigration",
            request or pb.WatchMigrationRequest(),
            pb.MigrationStatus,
            timeout=timeout,
            metadata=metadata,
        )

    def preview_meeting_migration(
        self, request: pb.PreviewMeetingMigrationRequest, *, timeout: float | None = None, metadata: Metadata = ()
    ) -> AsyncStream[pb.MeetingPreview]:
        return self.stream(
            "mms.v1.MigrationService/PreviewMeetingMigration",
            request,
            pb.MeetingPreview,
            timeout=timeout,
            metadata=metadata,
        )

    # mms.v1.TenantConfigurationService

    async def get_tenant_migration_configuration(
        self,
        request: pb.GetTenantMigrationConfigurationRequest | None = None,
        *,
        timeout: Timeout = DEFAULT,
        metadata: Metadata = (),
    ) -> pb.TenantMigrationConfiguration:
        return await self.unary(
            f"{_TENANT}/GetTenantMigrationConfiguration",
            request or pb.GetTenantMigrationConfigurationRequest(),
            pb.TenantMigrationConfiguration,
            timeout=timeout,
            metadata=metadata,
        )

    async def set_tenant_migration_configuration(
        self, request: pb.SetTenantMigrationConfigurationRequest, *, timeout: Timeout = DEFAULT, metadata: Metadata = ()
    ) -> pb.TenantMigrationConfiguration:
        return await self.unary(
            f"{_TENANT}/SetTenantMigrationConfiguration",
            request,
            pb.TenantMigrationConfiguration,
            timeout=timeout,
            metadata=metadata,
        )

    async def get_dial_in_conferencing_tenant_settings(
        self,
        request: pb.GetDialInConferencingTenantSettingsRequest | None = None,
        *,
        timeout: Timeout = DEFAULT,
        metadata: Metadata = (),
    ) -> pb.DialInConferencingTenantSettings:
        return await self.unary(
            f"{_TENANT}/GetDialInConferencingTenantSettings",
            request or pb.GetDialInConferencingTenantSettingsRequest(),
            pb.DialInConferencingTenantSettings,
            timeout=timeout,
            metadata=metadata,
        )

    async def set_dial_in_conferencing_tenant_settings(
        self,
        request: pb.SetDialInConferencingTenantSettingsRequest,
        *,
        timeout: Timeout = DEFAULT,
        metadata: Metadata = (),
    ) -> pb.DialInConferencingTenantSettings:
        return await self.unary(
            f"{_TENANT}/SetDialInConferencingTenantSettings",
            request,
            pb.DialInConferencingTenantSettings,
            timeout=timeout,
            metadata=metadata,
        )

    async def get_mailbox_settings(
        self,
        request: pb.GetMailboxSettingsRequest | None = None,
        *,
        timeout: Timeout = DEFAULT,
        metadata: Metadata = (),
    ) -> pb.MailboxSettings:
        return await self.unary(
            f"{_TENANT}/GetMailboxSettings",
            request or pb.GetMailboxSettingsRequest(),
            pb.MailboxSettings,
            timeout=timeout,
            metadata=metadata,
        )

    async def set_mailbox_settings(
        self, request: pb.SetMailboxSettingsRequest, *, timeout: Timeout = DEFAULT, metadata: Metadata = ()
    ) -> pb.MailboxSettings:
        return await self.unary(
            f"{_TENANT}/SetMailboxSettings", request, pb.MailboxSettings, timeout=timeout, metadata=metadata
        )

    async def test_mailbox_settings(
        self, request: pb.TestMailboxSettingsRequest, *, timeout: Timeout = DEFAULT, metadata: Metadata = ()
    ) -> pb.TestMailboxSettingsResponse:
        return await self.unary(
            f"{_TENANT}/TestMailboxSettings",
            request,
            pb.TestMailboxSettingsResponse,
            timeout=timeout,
            metadata=metadata,
        )

    async def get_mail_settings(
        self, request: pb.GetMailSettingsRequest | None = None, *, timeout: Timeout = DEFAULT, metadata: Metadata = ()
    ) -> pb.MailSettings:
        return await self.unary(
            f"{_TENANT}/GetMailSettings",
            request or pb.GetMailSettingsRequest(),
            pb.MailSettings,
            timeout=timeout,
            metadata=metadata,
        )

    async def set_mail_settings(
        self, request: pb.SetMailSettingsRequest, *, timeout: Timeout = DEFAULT, metadata: Metadata = ()
    ) -> pb.MailSettings:
        return await self.unary(
            f"{_TENANT}/SetMailSettings", request, pb.MailSettings, timeout=timeout, metadata=metadata
        )

    async def test_mail_settings(
        self, request: pb.TestMailSettingsRequest, *, timeout: Timeout = DEFAULT, metadata: Metadata = ()
    ) -> pb.TestMailSettingsResponse:
        return await self.unary(
            f"{_TENANT}/TestMailSettings", request, pb.TestMailSettingsResponse, timeout=timeout, metadata=metadata
        )


_TENANT = "mms.v1.TenantConfigurationService"


def _decode(response_type: type[Response], data: bytes, method: str) -> Response:
    response = response_type()
    try:
        response.ParseFromString(data)
    except DecodeError as error:
        raise RpcError(
            StatusCode.INTERNAL,
            f"the server's {response_type.DESCRIPTOR.full_name} is not valid protobuf: {error}",
            method=method,
        ) from error
    return response


class AsyncStream(Generic[Response]):
    """A server-streaming call: ``async for message in stream``. The call starts on the first
    iteration; it ends with the server's STATUS (OK ends the iteration, anything else raises
    :class:`RpcError`), the deadline, or :meth:`cancel`."""

    def __init__(
        self,
        client: AsyncClient,
        method: str,
        request: ProtoMessage,
        response_type: type[Response],
        deadline: float | None,
        metadata: Metadata,
    ) -> None:
        self._client = client
        self.method = method
        self._request = request
        self._response_type = response_type
        self._deadline = deadline
        self._metadata = metadata
        self._started: tuple[Connection, Call] | None = None
        self._ended: RpcError | None = None
        self._finished = False

    def __aiter__(self) -> AsyncStream[Response]:
        return self

    async def __aenter__(self) -> AsyncStream[Response]:
        return self

    async def __aexit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.cancel()

    async def __anext__(self) -> Response:
        if self._ended is not None:
            raise self._ended
        if self._finished:
            raise StopAsyncIteration
        if self._started is None:
            try:
                self._started = await self._client._start(self.method, self._request, self._deadline, self._metadata)
            except RpcError as error:
                self._ended = error
                raise
        connection, call = self._started
        try:
            event = await self._client._next_event(connection, call, self._deadline)
        except RpcError as error:
            self._ended = error
            raise
        except asyncio.CancelledError:
            self._ended = RpcError(StatusCode.CANCELLED, "cancelled by the client", method=self.method)
            raise
        if isinstance(event, Message):
            return _decode(self._response_type, event.data, self.method)
        status = event.status
        if status.code == 0:
            self._finished = True
            raise StopAsyncIteration
        self._ended = RpcError(
            StatusCode.of(status.code), status.message, status.details, status.trailing_metadata, self.method
        )
        raise self._ended

    def cancel(self) -> None:
        """Ends the stream: sends CANCEL; iterating again raises RpcError(CANCELLED)."""
        if self._ended is None and not self._finished:
            self._ended = RpcError(StatusCode.CANCELLED, "cancelled by the client", method=self.method)
            if self._started is not None:
                connection, call = self._started
                connection.cancel(call)
