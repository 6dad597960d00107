"""The sync client: the asyncio client of :mod:`mms_client.aio` on a loop of its own thread.

    with Client("127.0.0.1:7450", token=token) as client:
        print(client.get_migration_status(pb.GetMigrationStatusRequest(identity="ashaw@contoso.com")))

Every method may be called from any thread; calls from several threads share the connection.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ssl
import threading
from types import TracebackType
from typing import Any, Callable, Coroutine, Generic, Iterator, TypeVar

from google.protobuf.message import Message as ProtoMessage

from . import messages as pb
from .aio import DEFAULT, AsyncClient, AsyncStream, Metadata, Timeout
from .errors import RpcError, StatusCode
from .tls import TLSConfig

T = TypeVar("T")
Response = TypeVar("Response", bound=ProtoMessage)


class Cancellation:
    """Cancels the calls it is passed to, from any thread: ``cancellation.cancel()``.

    A call cancelled this way sends CANCEL to the server and raises ``RpcError(CANCELLED)``.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cancelled = False
        self._callbacks: list[Callable[[], object]] = []

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()

    def _register(self, callback: Callable[[], object]) -> Callable[[], None]:
        with self._lock:
            if not self._cancelled:
                self._callbacks.append(callback)

                def unregister() -> None:
                    with self._lock:
                        if callback in self._callbacks:
                            self._callbacks.remove(callback)

                return unregister
        callback()
        return lambda: None


class Client:
    """A sync client of one MMS server; the arguments are those of :class:`AsyncClient`.

    Each unary method takes the request message and, keyword-only, ``timeout`` (seconds; omitted:
    the client's default; ``None``: no deadline), ``metadata`` (more entries for this call) and
    ``cancellation`` (a :class:`Cancellation`). It returns the response message or raises
    :class:`RpcError`, whose ``code`` is a :class:`StatusCode`.
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
        self._async = AsyncClient(
            endpoint, token=token, tls=tls, timeout=timeout, connect_timeout=connect_timeout, metadata=metadata
        )
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=f"mms-client {endpoint}", daemon=True)
        self._thread.start()
        self._closed = False

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def connect(self) -> None:
        """Opens the connection now rather than on the first call."""
        self._run(self._async.connect(), None)

    def close(self) -> None:
        """Closes the connection (calls still in flight end with UNAVAILABLE) and the loop's thread."""
        if self._closed:
            return
        self._closed = True
        asyncio.run_coroutine_threadsafe(self._async.close(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def _run(self, coroutine: Coroutine[Any, Any, T], cancellation: Cancellation | None) -> T:
        if self._closed:
            coroutine.close()
            raise RpcError(StatusCode.UNAVAILABLE, "the client is closed")
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        unregister = cancellation._register(future.cancel) if cancellation is not None else (lambda: None)
        try:
            return future.result()
        except concurrent.futures.CancelledError:
            raise RpcError(StatusCode.CANCELLED, "cancelled by the client") from None
        except BaseException:
            future.cancel()  # e.g. KeyboardInterrupt: the call sends CANCEL
            raise
        finally:
            unregister()

    def unary(
        self,
        method: str,
        request: ProtoMessage,
        response_type: type[Response],
        *,
        timeout: Timeout = DEFAULT,
        metadata: Metadata = (),
        cancellation: Cancellation | None = None,
    ) -> Response:
        """Calls any unary method by its full name, e.g. ``mms.v1.AdminService/CreateTenant``."""
        return self._run(
            self._async.unary(method, request, response_type, timeout=timeout, metadata=metadata), cancellation
        )

    def stream(
        self,
        method: str,
        request: ProtoMessage,
        response_type: type[Response],
        *,
        timeout: float | None = None,
        metadata: Metadata = (),
    ) -> Stream[Response]:
        """Calls any server-streaming method by its full name; iterate the result."""
        return Stream(self, self._async.stream(method, request, response_type, timeout=timeout, metadata=metadata))

    # mms.v1.Health

    def health_check(
        self,
        request: pb.HealthCheckRequest | None = None,
        *,
        timeout: Timeout = DEFAULT,
        metadata: Metadata = (),
        cancellation: Cancellation | None = None,
    ) -> pb.HealthCheckResponse:
        return self._run(self._async.health_check(request, timeout=timeout, metadata=metadata), cancellation)

    # mms.v1.AdminService

    def who_am_i(
        self,
        request: pb.WhoAmIRequest | None = None,
        *,
        timeout: Timeout = DEFAULT,
        metadata: Metadata = (),
        cancellation: Cancellation | None = None,
    ) -> pb.WhoAmIResponse:
        return self._run(self._async.who_am_i(request, timeout=timeout, metadata=metadata), cancellation)

    # mms.v1.MigrationService

    def start_meeting_migration(
        self,
        request: pb.StartMeetingMigrationRequest,
        *,
        timeout: Timeout = DEFAULT,
        metadata: Metadata = (),
        cancellation: Cancellation | None = None,
    ) -> pb.StartMeetingMigrationResponse:
        return self._run(self._async.start_meeting_migration(request, timeout=timeout, metadata=metadata), cancellation)

    def get_migration_status(
        self,
        request: pb.GetMigrationStatusRequest | None = None,
        *,
        timeout: Timeout = DEFAULT,
        metadata: Metadata = (),
        cancellation: Cancellation | None = None,
    ) -> pb.GetMigrationStatusResponse:
        return self._run(self._async.get_migration_status(request, timeout=timeout, metadata=metadata), cancellation)

    def list_meeting_outcomes(
        self,
        request: pb.ListMeetingOutcomesRequest,
        *,
        timeout: Timeout = DEFAULT,
        metadata: Metadata = (),
        cancellation: Cancellation | None = None,
    ) -> pb.ListMeetingOutcomesResponse:
        return self._run(self._async.list_meeting_outcomes(request, timeout=timeout, metadata=metadata), cancellation)

    def watch_migration(
        self, request: pb.WatchMigrationRequest | None = None, *, timeout: float | None = None, metadata: Metadata = ()
    ) -> Stream[pb.MigrationStatus]:
        """Streams migration records as they change; ``stream.cancel()`` (any thread) ends it."""
        return Stream(self, self._async.watch_migration(request, timeout=timeout, metadata=metadata))

    def preview_meeting_migration(
        self, request: pb.PreviewMeetingMigrationRequest, *, timeout: float | None = None, metadata: Metadata = ()
    ) -> Stream[pb.MeetingPreview]:
        """What a migration of ``request.identity`` would do to each meeting, one per message; writes nothing."""
        return Stream(self, self._async.preview_meeting_migration(request, timeout=timeout, metadata=metadata))

    # mms.v1.TenantConfigurationService

    def get_tenant_migration_configuration(
        self,
        request: pb.GetTenantMigrationConfigurationRequest | None = None,
        *,
        timeout: Timeout = DEFAULT,
        metadata: Metadata = (),
        cancellation: Cancellation | None = None,
    ) -> pb.TenantMigrationConfiguration:
        return self._run(
            self._async.get_tenant_migration_configuration(request, timeout=timeout, metadata=metadata), cancellation
        )

    def set_tenant_migration_configuration(
        self,
        request: pb.SetTenantMigrationConfigurationRequest,
        *,
        timeout: Timeout = DEFAULT,
        metadata: Metadata = (),
        cancellation: Cancellation | None = None,
    ) -> pb.TenantMigrationConfiguration:
        return self._run(
            self._async.set_tenant_migration_configuration(request, timeout=timeout, metadata=metadata), cancellation
        )

    def get_dial_in_conferencing_tenant_settings(
        self,
        request: pb.GetDialInConferencingTenantSettingsRequest | None = None,
        *,
        timeout: Timeout = DEFAULT,
        metadata: Metadata = (),
        cancellation: Cancellation | None = None,
    ) -> pb.DialInConferencingTenantSettings:
        return self._run(
            self._async.get_dial_in_conferencing_tenant_settings(request, timeout=timeout, metadata=metadata),
            cancellation,
        )

    def set_dial_in_conferencing_tenant_settings(
        self,
        request: pb.SetDialInConferencingTenantSettingsRequest,
        *,
        timeout: Timeout = DEFAULT,
        metadata: Metadata = (),
        cancellation: Cancellation | None = None,
    ) -> pb.DialInConferencingTenantSettings:
        return self._run(
            self._async.set_dial_in_conferencing_tenant_settings(request, timeout=timeout, metadata=metadata),
            cancellation,
        )

    def get_mailbox_settings(
        self,
        request: pb.GetMailboxSettingsRequest | None = None,
        *,
        timeout: Timeout = DEFAULT,
        metadata: Metadata = (),
        cancellation: Cancellation | None = None,
    ) -> pb.MailboxSettings:
        return self._run(self._async.get_mailbox_settings(request, timeout=timeout, metadata=metadata), cancellation)

    def set_mailbox_settings(
        self,
        request: pb.SetMailboxSettingsRequest,
        *,
        timeout: Timeout = DEFAULT,
        metadata: Metadata = (),
        cancellation: Cancellation | None = None,
    ) -> pb.MailboxSettings:
        return self._run(self._async.set_mailbox_settings(request, timeout=timeout, metadata=metadata), cancellation)

    def test_mailbox_settings(
        self,
        request: pb.TestMailboxSettingsRequest,
        *,
        timeout: Timeout = DEFAULT,
        metadata: Metadata = (),
        cancellation: Cancellation | None = None,
    ) -> pb.TestMailboxSettingsResponse:
        return self._run(self._async.test_mailbox_settings(request, timeout=timeout, metadata=metadata), cancellation)

    def get_mail_settings(
        self,
        request: pb.GetMailSettingsRequest | None = None,
        *,
        timeout: Timeout = DEFAULT,
        metadata: Metadata = (),
        cancellation: Cancellation | None = None,
    ) -> pb.MailSettings:
        return self._run(self._async.get_mail_settings(request, timeout=timeout, metadata=metadata), cancellation)

    def set_mail_settings(
        self,
        request: pb.SetMailSettingsRequest,
        *,
        timeout: Timeout = DEFAULT,
        metadata: Metadata = (),
        cancellation: Cancellation | None = None,
    ) -> pb.MailSettings:
        return self._run(self._async.set_mail_settings(request, timeout=timeout, metadata=metadata), cancellation)

    def test_mail_settings(
        self,
        request: pb.TestMailSettingsRequest,
        *,
        timeout: Timeout = DEFAULT,
        metadata: Metadata = (),
        cancellation: Cancellation | None = None,
    ) -> pb.TestMailSettingsResponse:
        return self._run(self._async.test_mail_settings(request, timeout=timeout, metadata=metadata), cancellation)


class Stream(Generic[Response]):
    """A server-streaming call, sync: ``for message in stream``. The call starts on the first
    ``next()``. A status other than OK raises :class:`RpcError`; :meth:`cancel` ends it from any
    thread (a ``next()`` waiting then raises ``RpcError(CANCELLED)``)."""

    def __init__(self, client: Client, stream: AsyncStream[Response]) -> None:
        self._client = client
        self._stream = stream
        self._lock = threading.Lock()
        self._waiting: concurrent.futures.Future[Response] | None = None

    def __iter__(self) -> Iterator[Response]:
        return self

    def __enter__(self) -> Stream[Response]:
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.cancel()

    def __next__(self) -> Response:
        future = asyncio.run_coroutine_threadsafe(self._stream.__anext__(), self._client._loop)
        with self._lock:
            self._waiting = future
        try:
            return future.result()
        except StopAsyncIteration:
            raise StopIteration from None
        except concurrent.futures.CancelledError:
            raise RpcError(StatusCode.CANCELLED, "cancelled by the client", method=self._stream.method) from None
        except BaseException:
            future.cancel()
            raise
        finally:
            with self._lock:
                self._waiting = None

    def cancel(self) -> None:
        """Sends CANCEL for the stream; safe from any thread, and after the stream ended."""
        with self._lock:
            waiting = self._waiting
        if waiting is not None:
            waiting.cancel()
        if not self._client._closed:
            self._client._loop.call_soon_threadsafe(self._stream.cancel)
