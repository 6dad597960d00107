"""Deadlines, cancellation, streams and multiplexing on one connection (docs/PROTOCOL.md §4, §6, §7).

A call that stays in flight: TestMailSettings to a relay that accepts and never answers
(conftest.SilentSMTP). That the server ended the call on its side is seen on the wire: its STATUS
arrives and frees the call id (the connection's table of calls in flight empties).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable

import pytest
from conftest import ServerProcess, SilentSMTP, Tenant, make_tenant

from mms_client import AsyncClient, Cancellation, Client, RpcError, StatusCode
from mms_client import messages as pb


def wait_until(condition: Callable[[], bool], seconds: float = 5) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def in_flight(client: Client) -> int:
    connection = client._async._connection
    assert connection is not None
    return connection.calls_in_flight


def hanging_mail_settings(client: Client, tenant: Tenant, relay: SilentSMTP) -> None:
    client.set_mail_settings(
        pb.SetMailSettingsRequest(
            settings=pb.MailSettings(
                smtp_host="127.0.0.1",
                smtp_port=relay.port,
                tls=pb.MAIL_TLS_NONE,
                sender_address=f"mms@{tenant.tenant_id}.example.com",
            )
        )
    )


def test_deadline_ends_the_call_alone(tenant: Tenant, silent_smtp: SilentSMTP) -> None:
    with tenant.client() as client:
        hanging_mail_settings(client, tenant, silent_smtp)
        began = time.monotonic()
        with pytest.raises(RpcError) as raised:
            client.test_mail_settings(pb.TestMailSettingsRequest(to="a@b.example.com"), timeout=0.5)
        elapsed = time.monotonic() - began
        assert raised.value.code is StatusCode.DEADLINE_EXCEEDED
        assert 0.45 <= elapsed < 10, elapsed
        assert silent_smtp.accepted.is_set()
        # The server ended the call too (its DEADLINE_EXCEEDED, or CANCELLED for our CANCEL).
        assert wait_until(lambda: in_flight(client) == 0), "the server did not end the call"
        # Only that call failed: the connection goes on.
        assert client.get_mail_settings().configured


def test_cancel_sync_call_from_another_thread(tenant: Tenant, silent_smtp: SilentSMTP) -> None:
    with tenant.client() as client:
        hanging_mail_settings(client, tenant, silent_smtp)
        cancellation = Cancellation()
        timer = threading.Timer(0.3, cancellation.cancel)
        timer.start()
        with pytest.raises(RpcError) as raised:
            client.test_mail_settings(
                pb.TestMailSettingsRequest(to="a@b.example.com"), timeout=30, cancellation=cancellation
            )
        assert raised.value.code is StatusCode.CANCELLED
        assert wait_until(lambda: in_flight(client) == 0), "the server did not answer the CANCEL"
        assert client.get_mail_settings().configured
        # A cancellation already cancelled ends a call at once.
        with pytest.raises(RpcError) as again:
            client.get_mail_settings(cancellation=cancellation)
        assert again.value.code is StatusCode.CANCELLED


def test_cancel_async_task(tenant: Tenant, silent_smtp: SilentSMTP) -> None:
    with tenant.client() as setup:
        hanging_mail_settings(setup, tenant, silent_smtp)

    async def scenario() -> None:
        async with AsyncClient(tenant.server.endpoint, token=tenant.admin_token) as client:
            task = asyncio.create_task(client.test_mail_settings(pb.TestMailSettingsRequest(to="a@b.example.com")))
            await asyncio.sleep(0.3)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            connection = client._connection
            assert connection is not None
            for _ in range(250):
                if connection.calls_in_flight == 0:
                    break
                await asyncio.sleep(0.02)
            assert connection.calls_in_flight == 0, "the server did not answer the CANCEL"
            assert (await client.get_mail_settings()).configured

    asyncio.run(scenario())


def test_watch_whole_tenant_then_cancel(tenant: Tenant) -> None:
    with tenant.client() as client:
        identity = tenant.create_user(client, "watched")
        started = client.start_meeting_migration(pb.StartMeetingMigrationRequest(identity=identity))
        list(client.watch_migration(pb.WatchMigrationRequest(identity=identity, until_finished=True), timeout=60))
        # Without until_finished the stream stays open after the current state.
        stream = client.watch_migration(pb.WatchMigrationRequest())
        first = next(stream)
        assert first.correlation_id == started.correlation_id
        assert first.state == pb.MIGRATION_STATE_SUCCEEDED
        threading.Timer(0.3, stream.cancel).start()
        with pytest.raises(RpcError) as raised:
            next(stream)
        assert raised.value.code is StatusCode.CANCELLED
        assert wait_until(lambda: in_flight(client) == 0), "the server did not end the cancelled stream"
        with pytest.raises(RpcError):
            next(stream)  # it stays ended
        assert client.get_migration_status(pb.GetMigrationStatusRequest(identity=identity)).records


def test_stream_deadline(tenant: Tenant) -> None:
    with tenant.client() as client:
        identity = tenant.create_user(client, "deadline")
        client.start_meeting_migration(pb.StartMeetingMigrationRequest(identity=identity))
        received = []
        with pytest.raises(RpcError) as raised:
            for record in client.watch_migration(pb.WatchMigrationRequest(), timeout=1.0):
                received.append(record)
        assert raised.value.code is StatusCode.DEADLINE_EXCEEDED
        assert received and received[0].user_principal_name == identity


def test_watch_with_nothing_to_watch_is_not_found(tenant: Tenant) -> None:
    with tenant.client() as client:
        with pytest.raises(RpcError) as raised:
            list(
                client.watch_migration(
                    pb.WatchMigrationRequest(identity=f"nobody@{tenant.tenant_id}.example.com"), timeout=10
                )
            )
        assert raised.value.code in (StatusCode.NOT_FOUND,)


def test_many_calls_multiplexed_on_one_connection(tenant: Tenant, silent_smtp: SilentSMTP) -> None:
    with tenant.client() as setup:
        hanging_mail_settings(setup, tenant, silent_smtp)
        for index in range(5):
            tenant.create_user(setup, f"user{index}")

    async def scenario() -> None:
        async with AsyncClient(tenant.server.endpoint, token=tenant.admin_token) as client:
            # A call that hangs does not hold up the others on the same connection: they complete
            # while it is in flight, in whatever order the server answers.
            hanging = asyncio.create_task(
                client.test_mail_settings(pb.TestMailSettingsRequest(to="a@b.example.com"), timeout=20)
            )
            await asyncio.sleep(0.1)
            calls: list[Awaitable[object]] = [
                client.get_migration_status(
                    pb.GetMigrationStatusRequest(identity=f"user{i % 5}@{tenant.tenant_id}.example.com")
                )
                for i in range(100)
            ]
            calls += [client.get_tenant_migration_configuration() for _ in range(50)]
            results = await asyncio.gather(*calls)
            assert len(results) == 150
            connection = client._connection
            assert connection is not None and connection.calls_in_flight == 1  # only the hanging one
            assert not hanging.done()
            hanging.cancel()
            with pytest.raises(asyncio.CancelledError):
                await hanging
            assert client._connection is connection and not client._old

    asyncio.run(scenario())


def test_threads_share_the_sync_client(tenant: Tenant) -> None:
    errors: list[BaseException] = []
    with tenant.client() as client:
        client.connect()
        connection = client._async._connection

        def work() -> None:
            try:
                for _ in range(20):
                    assert client.get_dial_in_conferencing_tenant_settings().automatically_migrate_user_meetings
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert client._async._connection is connection


def test_graceful_shutdown_ends_a_stream_unavailable_and_refuses_new_connections() -> None:
    server = ServerProcess().start()
    try:
        with Client(server.endpoint, token=server.operator_token) as operator:
            tenant_id = "py-shutdown"
            operator.unary(
                "mms.v1.AdminService/CreateTenant",
                pb.CreateTenantRequest(tenant_id=tenant_id, display_name="x"),
                pb.Tenant,
            )
            token = operator.unary(
                "mms.v1.AdminService/CreateToken",
                pb.CreateTokenRequest(tenant_id=tenant_id, role=pb.ROLE_TENANT_ADMIN),
                pb.CreateTokenResponse,
            ).token
        tenant = Tenant(server, tenant_id, token, "")
        with tenant.client() as client:
            identity = tenant.create_user(client, "shutdown")
            client.start_meeting_migration(pb.StartMeetingMigrationRequest(identity=identity))
            stream = client.watch_migration(pb.WatchMigrationRequest())
            next(stream)
            assert server.terminate() == 0
            with pytest.raises(RpcError) as raised:
                next(stream)
            assert raised.value.code is StatusCode.UNAVAILABLE
            with pytest.raises(RpcError) as refused:
                client.get_migration_status(timeout=5)
            assert refused.value.code is StatusCode.UNAVAILABLE
            assert server.endpoint in refused.value.message
    finally:
        server.stop()


def test_limits_end_one_call_and_the_connection_goes_on(tenant: Tenant) -> None:
    with tenant.client() as client:
        client.connect()
        connection = client._async._connection
        assert connection is not None and connection.max_frame_payload == 4 * 1024 * 1024  # the server's SETTINGS
        # Over the server's MAX_FRAME_PAYLOAD: refused before it is sent (it would close the connection).
        big = pb.Meeting(organizer="a@b.example.com", body="x" * (5 * 1024 * 1024))
        with pytest.raises(RpcError) as too_large:
            client.unary("mms.v1.CalendarService/AddMeeting", pb.AddMeetingRequest(meeting=big), pb.Meeting)
        assert too_large.value.code is StatusCode.RESOURCE_EXHAUSTED
        assert "MAX_FRAME_PAYLOAD" in too_large.value.message
        # Over the server's metadata limit (8 KiB): the server ends that call alone.
        with pytest.raises(RpcError) as metadata:
            client.get_migration_status(metadata=[("x-padding", "p" * 9000)])
        assert metadata.value.code is StatusCode.RESOURCE_EXHAUSTED
        assert client.get_migration_status().records is not None
        assert client._async._connection is connection


def test_server_settings_idle_goaway_and_reconnect() -> None:
    """The server's SETTINGS are followed (§3), MAX_CONCURRENT_CALLS ends the call past it (§4),
    and a connection the server closes for idleness (§7) is replaced on the next call."""
    server = ServerProcess(
        extra=["--idle-timeout", "1s", "--max-calls-per-connection", "2", "--max-frame-bytes", "4096"]
    )
    server.start()
    try:
        tenant = make_tenant(server)
        with tenant.client() as client:
            client.connect()
            first = client._async._connection
            assert first is not None
            assert (first.max_frame_payload, first.max_concurrent_calls) == (4096, 2)
            with pytest.raises(RpcError) as too_large:
                client.start_meeting_migration(pb.StartMeetingMigrationRequest(identity="x" * 5000))
            assert too_large.value.code is StatusCode.RESOURCE_EXHAUSTED
            assert "4096" in too_large.value.message

            # Two watches that stay open hold both call slots of the connection.
            identity = tenant.create_user(client, "slots")
            client.start_meeting_migration(pb.StartMeetingMigrationRequest(identity=identity))
            streams = [client.watch_migration(pb.WatchMigrationRequest()) for _ in range(2)]
            for stream in streams:
                assert next(stream).user_principal_name == identity
            assert in_flight(client) == 2
            with pytest.raises(RpcError) as third:
                client.get_mail_settings()
            assert third.value.code is StatusCode.RESOURCE_EXHAUSTED
            for stream in streams:
                stream.cancel()
            assert wait_until(lambda: in_flight(client) == 0)

            # Once the connection has had no call for the idle timeout the server closes it
            # (GOAWAY IDLE_TIMEOUT), and the next call opens another.
            assert wait_until(lambda: first.closed, 10), "the server did not close the idle connection"
            assert "IDLE_TIMEOUT" in first._close_reason, first._close_reason
            assert not client.get_mail_settings().configured
            assert client._async._connection is not first
    finally:
        server.stop()
