"""Tokens as metadata (docs/PROTOCOL.md §9): missing or bad is UNAUTHENTICATED, a role that does
not allow the call is PERMISSION_DENIED, another tenant's ids are NOT_FOUND (README "Roles")."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import ServerProcess, Tenant, make_tenant

from mms_client import Client, RpcError, StatusCode
from mms_client import messages as pb


def expect(code: StatusCode, call: Callable[[], object]) -> RpcError:
    with pytest.raises(RpcError) as raised:
        call()
    assert raised.value.code is code, raised.value
    return raised.value


def test_health_needs_no_token_and_who_am_i_names_the_role(tenant: Tenant) -> None:
    with Client(tenant.server.endpoint) as anonymous:
        assert anonymous.health_check().status == pb.SERVING_STATUS_SERVING
    with tenant.client("reader") as reader:
        me = reader.who_am_i().token
        assert (me.tenant_id, me.role) == (tenant.tenant_id, pb.ROLE_TENANT_READER)


def test_missing_and_bad_tokens_are_unauthenticated(tenant: Tenant) -> None:
    with Client(tenant.server.endpoint) as anonymous:
        error = expect(StatusCode.UNAUTHENTICATED, anonymous.get_migration_status)
        assert error.method == "mms.v1.MigrationService/GetMigrationStatus"
        expect(StatusCode.UNAUTHENTICATED, anonymous.get_tenant_migration_configuration)
        # The token can also be given per call, as metadata.
        status = anonymous.get_migration_status(metadata=[("authorization", f"Bearer {tenant.admin_token}")])
        assert list(status.records) == []
    with Client(tenant.server.endpoint, token="not-a-token") as wrong:
        error = expect(StatusCode.UNAUTHENTICATED, wrong.get_migration_status)
        assert "not-a-token" not in error.message  # R6
        # Checked before the request's fields: a bad token learns nothing of validation (§9).
        expect(
            StatusCode.UNAUTHENTICATED,
            lambda: wrong.start_meeting_migration(pb.StartMeetingMigrationRequest(identity="")),
        )


def test_roles_are_permission_denied(tenant: Tenant) -> None:
    with tenant.client() as admin:
        identity = tenant.create_user(admin, "roles")
    with tenant.client("reader") as reader:
        assert reader.get_tenant_migration_configuration().meeting_migration_enabled  # a reader reads
        expect(
            StatusCode.PERMISSION_DENIED,
            lambda: reader.start_meeting_migration(pb.StartMeetingMigrationRequest(identity=identity)),
        )
        expect(
            StatusCode.PERMISSION_DENIED,
            lambda: reader.set_tenant_migration_configuration(
                pb.SetTenantMigrationConfigurationRequest(
                    configuration=pb.TenantMigrationConfiguration(meeting_migration_enabled=False)
                )
            ),
        )
        expect(
            StatusCode.PERMISSION_DENIED,
            lambda: reader.test_mail_settings(pb.TestMailSettingsRequest(to="a@b.example.com")),
        )
    with Client(tenant.server.endpoint, token=tenant.server.operator_token) as operator:
        expect(StatusCode.PERMISSION_DENIED, operator.get_migration_status)  # operators see no tenant data
    with tenant.client() as admin:
        assert admin.get_tenant_migration_configuration().meeting_migration_enabled  # the reader changed nothing


def test_another_tenants_migration_is_not_found(server: ServerProcess, tenant: Tenant) -> None:
    with tenant.client() as admin:
        identity = tenant.create_user(admin, "mine")
        started = admin.start_meeting_migration(pb.StartMeetingMigrationRequest(identity=identity))
        assert started.queued
    other = make_tenant(server)
    with other.client() as stranger:
        expect(
            StatusCode.NOT_FOUND,
            lambda: stranger.list_meeting_outcomes(
                pb.ListMeetingOutcomesRequest(correlation_id=started.correlation_id)
            ),
        )
        expect(
            StatusCode.NOT_FOUND, lambda: stranger.get_migration_status(pb.GetMigrationStatusRequest(identity=identity))
        )
