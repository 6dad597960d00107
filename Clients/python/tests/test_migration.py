"""Every call of mms.v1.MigrationService through the sync client, against the real server
(MISSION T4, S1, M2; docs/PROTOCOL.md §4, §9)."""

from __future__ import annotations

import pytest
from conftest import Tenant

from mms_client import RpcError, StatusCode
from mms_client import messages as pb


def test_start_watch_status_and_outcomes(tenant: Tenant) -> None:
    with tenant.client() as client:
        identity = tenant.create_user(client, "ashaw")
        meeting = tenant.add_meeting(client, identity)
        assert meeting.created_through_service

        started = client.start_meeting_migration(
            pb.StartMeetingMigrationRequest(identity=identity, target_meeting_type=pb.TARGET_MEETING_TYPE_TEAMS)
        )
        assert started.queued, started.reason
        assert started.correlation_id
        assert started.status.user_principal_name == identity

        # WatchMigration (server streaming): records until the migration has finished, then STATUS OK.
        seen = list(
            client.watch_migration(pb.WatchMigrationRequest(identity=identity, until_finished=True), timeout=60)
        )
        assert seen, "the watch streamed no record"
        assert all(record.correlation_id == started.correlation_id for record in seen)
        final = seen[-1]
        assert final.state == pb.MIGRATION_STATE_SUCCEEDED, final.last_message
        assert (final.total_meeting, final.succeeded_meeting, final.failed_meeting) == (1, 1, 0)

        status = client.get_migration_status(pb.GetMigrationStatusRequest(identity=identity))
        assert [r.correlation_id for r in status.records] == [started.correlation_id]
        assert status.records[0].state == pb.MIGRATION_STATE_SUCCEEDED
        assert status.records[0].migration_type == pb.MIGRATION_TYPE_ALL_TO_TEAMS

        summary = client.get_migration_status(pb.GetMigrationStatusRequest(summary_only=True))
        counts = {row.state: row.user_count for row in summary.summary}
        assert counts[pb.MIGRATION_STATE_SUCCEEDED] == 1
        assert counts.get(pb.MIGRATION_STATE_FAILED, 0) == 0

        failed_only = client.get_migration_status(pb.GetMigrationStatusRequest(state=pb.MIGRATION_STATE_FAILED))
        assert list(failed_only.records) == []

        outcomes = client.list_meeting_outcomes(pb.ListMeetingOutcomesRequest(correlation_id=started.correlation_id))
        assert [(o.meeting_id, o.outcome) for o in outcomes.outcomes] == [
            (meeting.meeting_id, pb.MEETING_OUTCOME_MIGRATED)
        ]
        by_identity = client.list_meeting_outcomes(pb.ListMeetingOutcomesRequest(identity=identity))
        assert [o.meeting_id for o in by_identity.outcomes] == [meeting.meeting_id]


def test_bad_input_is_invalid_argument_and_unknown_ids_not_found(tenant: Tenant) -> None:
    with tenant.client() as client:
        with pytest.raises(RpcError) as empty:
            client.start_meeting_migration(pb.StartMeetingMigrationRequest(identity=""))
        assert empty.value.code is StatusCode.INVALID_ARGUMENT
        assert "identity" in empty.value.message

        with pytest.raises(RpcError) as unknown_user:
            client.start_meeting_migration(
                pb.StartMeetingMigrationRequest(identity=f"nobody@{tenant.tenant_id}.example.com")
            )
        assert unknown_user.value.code is StatusCode.NOT_FOUND

        with pytest.raises(RpcError) as unknown_id:
            client.list_meeting_outcomes(
                pb.ListMeetingOutcomesRequest(correlation_id="00000000-0000-0000-0000-000000000000")
            )
        assert unknown_id.value.code is StatusCode.NOT_FOUND

        with pytest.raises(RpcError) as neither:
            client.list_meeting_outcomes(pb.ListMeetingOutcomesRequest())
        assert neither.value.code is StatusCode.INVALID_ARGUMENT

        # An enum value the server does not know (docs/PROTOCOL.md §9): INVALID_ARGUMENT.
        with pytest.raises(RpcError) as bad_enum:
            client.get_migration_status(pb.GetMigrationStatusRequest(state=99))  # type: ignore[arg-type]
        assert bad_enum.value.code is StatusCode.INVALID_ARGUMENT


def test_preview_streams_one_meeting_each_and_writes_nothing(tenant: Tenant) -> None:
    """PreviewMeetingMigration (issue 15): a reader may call it; it changes nothing."""
    with tenant.client() as client:
        identity = tenant.create_user(client, "preview")
        meeting = tenant.add_meeting(client, identity)
    with tenant.client("reader") as reader:
        previews = list(
            reader.preview_meeting_migration(
                pb.PreviewMeetingMigrationRequest(identity=identity, target_meeting_type=pb.TARGET_MEETING_TYPE_TEAMS),
                timeout=60,
            )
        )
        assert [(p.meeting_id, p.outcome) for p in previews] == [(meeting.meeting_id, pb.PREVIEW_OUTCOME_MIGRATED)]
        assert previews[0].new_block and previews[0].new_block in previews[0].body
        assert previews[0].undetermined == pb.UNDETERMINED_DETAILS_JOIN_URL
        assert list(reader.get_migration_status(pb.GetMigrationStatusRequest(identity=identity)).records) == []
        with pytest.raises(RpcError) as empty:
            list(reader.preview_meeting_migration(pb.PreviewMeetingMigrationRequest(identity="")))
        assert empty.value.code is StatusCode.INVALID_ARGUMENT
        assert "identity" in empty.value.message
