"""Every call of mms.v1.TenantConfigurationService through the sync client, against the real
server (MISSION S2, S3, S4, R1, R5, R6)."""

from __future__ import annotations

import socket

import pytest

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Sink
from conftest import Tenant

from mms_client import RpcError, StatusCode
from mms_client import messages as pb


def test_migration_configuration_s3(tenant: Tenant) -> None:
    with tenant.client() as client:
        configuration = client.get_tenant_migration_configuration()
        assert configuration.meeting_migration_enabled  # S3: default true
        assert configuration.status_retention_seconds == 150 * 86_400  # S2

        off = client.set_tenant_migration_configuration(
            pb.SetTenantMigrationConfigurationRequest(
                configuration=pb.TenantMigrationConfiguration(meeting_migration_enabled=False)
            )
        )
        assert not off.meeting_migration_enabled
        assert not client.get_tenant_migration_configuration().meeting_migration_enabled

        identity = tenant.create_user(client, "s3")
        refused = client.start_meeting_migration(pb.StartMeetingMigrationRequest(identity=identity))
        assert not refused.queued
        assert refused.reason

        on = client.set_tenant_migration_configuration(
            pb.SetTenantMigrationConfigurationRequest(
                configuration=pb.TenantMigrationConfiguration(meeting_migration_enabled=True)
            )
        )
        assert on.meeting_migration_enabled


def test_dial_in_settings_s4(tenant: Tenant) -> None:
    with tenant.client() as client:
        assert client.get_dial_in_conferencing_tenant_settings().automatically_migrate_user_meetings  # S4: default true
        off = client.set_dial_in_conferencing_tenant_settings(
            pb.SetDialInConferencingTenantSettingsRequest(
                settings=pb.DialInConferencingTenantSettings(automatically_migrate_user_meetings=False)
            )
        )
        assert not off.automatically_migrate_user_meetings
        assert not client.get_dial_in_conferencing_tenant_settings().automatically_migrate_user_meetings


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_mailbox_settings_r1(tenant: Tenant) -> None:
    with tenant.client() as client:
        identity = tenant.create_user(client, "mailbox")
        tenant.add_meeting(client, identity)
        assert client.get_mailbox_settings().type == pb.MAILBOX_TYPE_BUILT_IN  # never UNSPECIFIED
        built_in = client.test_mailbox_settings(pb.TestMailboxSettingsRequest(identity=identity))
        assert built_in.future_meetings == 1

        url = f"http://127.0.0.1:{unused_port()}/"
        saved = client.set_mailbox_settings(
            pb.SetMailboxSettingsRequest(
                settings=pb.MailboxSettings(
                    type=pb.MAILBOX_TYPE_CALDAV, url=url, username="svc", path_template="/{user}/"
                ),
                password="caldav-secret-123",
            )
        )
        assert (saved.type, saved.url, saved.username, saved.password_set) == (pb.MAILBOX_TYPE_CALDAV, url, "svc", True)
        read = client.get_mailbox_settings()
        assert read.url == url and read.password_set
        assert b"caldav-secret-123" not in read.SerializeToString()  # R6

        # No CalDAV server listens there: the test fails with an error naming the server, changing nothing.
        with pytest.raises(RpcError) as unreachable:
            client.test_mailbox_settings(pb.TestMailboxSettingsRequest(identity=identity))
        assert unreachable.value.code is StatusCode.FAILED_PRECONDITION
        assert "caldav-secret-123" not in unreachable.value.message

        back = client.set_mailbox_settings(
            pb.SetMailboxSettingsRequest(settings=pb.MailboxSettings(type=pb.MAILBOX_TYPE_BUILT_IN))
        )
        assert back.type == pb.MAILBOX_TYPE_BUILT_IN


class Recorder(Sink):
    def __init__(self) -> None:
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.recipients.append(list(envelope.rcpt_tos))  # type: ignore[attr-defined]
        return "250 2.0.0 Ok: queued by pytest"


def test_mail_settings_r5(tenant: Tenant) -> None:
    recorder = Recorder()
    relay = Controller(recorder, hostname="127.0.0.1", port=unused_port())
    relay.start()
    try:
        with tenant.client() as client:
            assert not client.get_mail_settings().configured
            with pytest.raises(RpcError) as unset:
                client.test_mail_settings(pb.TestMailSettingsRequest(to="ashaw@contoso.example.com"))
            assert unset.value.code is StatusCode.FAILED_PRECONDITION  # no settings yet

            settings = pb.MailSettings(
                smtp_host="127.0.0.1",
                smtp_port=relay.port,
                tls=pb.MAIL_TLS_NONE,
                sender_address=f"mms@{tenant.tenant_id}.example.com",
                rate_limit=5,
            )
            saved = client.set_mail_settings(pb.SetMailSettingsRequest(settings=settings))
            assert saved.configured and saved.smtp_port == relay.port and saved.tls == pb.MAIL_TLS_NONE
            assert not saved.password_set
            assert client.get_mail_settings().sender_address == settings.sender_address

            reply = client.test_mail_settings(pb.TestMailSettingsRequest(to="ashaw@contoso.example.com"))
            assert reply.reply.startswith("250"), reply.reply
            assert "queued by pytest" in reply.reply
            assert recorder.recipients == [["ashaw@contoso.example.com"]]

            remote = pb.MailSettings(
                smtp_host="smtp.example.com", smtp_port=25, tls=pb.MAIL_TLS_NONE, sender_address="a@b.example.com"
            )
            with pytest.raises(RpcError) as insecure:
                client.set_mail_settings(pb.SetMailSettingsRequest(settings=remote))
            assert insecure.value.code is StatusCode.INVALID_ARGUMENT  # MAIL_TLS_NONE off loopback
            assert client.get_mail_settings().smtp_host == "127.0.0.1"  # nothing changed

            removed = client.set_mail_settings(pb.SetMailSettingsRequest(remove=True))
            assert not removed.configured
            assert not client.get_mail_settings().configured
    finally:
        relay.stop()
