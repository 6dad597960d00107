from mms_client._proto.mms.v1 import calendar_pb2 as _calendar_pb2
from mms_client._proto.mms.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class MeetingOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MEETING_OUTCOME_UNSPECIFIED: _ClassVar[MeetingOutcome]
    MEETING_OUTCOME_MIGRATED: _ClassVar[MeetingOutcome]
    MEETING_OUTCOME_SKIPPED: _ClassVar[MeetingOutcome]
    MEETING_OUTCOME_FAILED: _ClassVar[MeetingOutcome]

class PreviewOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PREVIEW_OUTCOME_UNSPECIFIED: _ClassVar[PreviewOutcome]
    PREVIEW_OUTCOME_MIGRATED: _ClassVar[PreviewOutcome]
    PREVIEW_OUTCOME_SKIPPED: _ClassVar[PreviewOutcome]
    PREVIEW_OUTCOME_FAILED: _ClassVar[PreviewOutcome]
    PREVIEW_OUTCOME_NOT_SELECTED: _ClassVar[PreviewOutcome]

class SkipReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SKIP_REASON_UNSPECIFIED: _ClassVar[SkipReason]
    SKIP_REASON_NO_BLOCK: _ClassVar[SkipReason]
    SKIP_REASON_OVER_PARTICIPANT_LIMIT: _ClassVar[SkipReason]
    SKIP_REASON_PASTED: _ClassVar[SkipReason]
    SKIP_REASON_PAST: _ClassVar[SkipReason]
    SKIP_REASON_NOT_SELECTED: _ClassVar[SkipReason]
    SKIP_REASON_UNREADABLE: _ClassVar[SkipReason]
    SKIP_REASON_DELETED: _ClassVar[SkipReason]

class UndeterminedDetails(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    UNDETERMINED_DETAILS_UNSPECIFIED: _ClassVar[UndeterminedDetails]
    UNDETERMINED_DETAILS_NOTHING: _ClassVar[UndeterminedDetails]
    UNDETERMINED_DETAILS_JOIN_URL: _ClassVar[UndeterminedDetails]
    UNDETERMINED_DETAILS_JOIN_DETAILS: _ClassVar[UndeterminedDetails]
MEETING_OUTCOME_UNSPECIFIED: MeetingOutcome
MEETING_OUTCOME_MIGRATED: MeetingOutcome
MEETING_OUTCOME_SKIPPED: MeetingOutcome
MEETING_OUTCOME_FAILED: MeetingOutcome
PREVIEW_OUTCOME_UNSPECIFIED: PreviewOutcome
PREVIEW_OUTCOME_MIGRATED: PreviewOutcome
PREVIEW_OUTCOME_SKIPPED: PreviewOutcome
PREVIEW_OUTCOME_FAILED: PreviewOutcome
PREVIEW_OUTCOME_NOT_SELECTED: PreviewOutcome
SKIP_REASON_UNSPECIFIED: SkipReason
SKIP_REASON_NO_BLOCK: SkipReason
SKIP_REASON_OVER_PARTICIPANT_LIMIT: SkipReason
SKIP_REASON_PASTED: SkipReason
SKIP_REASON_PAST: SkipReason
SKIP_REASON_NOT_SELECTED: SkipReason
SKIP_REASON_UNREADABLE: SkipReason
SKIP_REASON_DELETED: SkipReason
UNDETERMINED_DETAILS_UNSPECIFIED: UndeterminedDetails
UNDETERMINED_DETAILS_NOTHING: UndeterminedDetails
UNDETERMINED_DETAILS_JOIN_URL: UndeterminedDetails
UNDETERMINED_DETAILS_JOIN_DETAILS: UndeterminedDetails

class StartMeetingMigrationRequest(_message.Message):
    __slots__ = ("identity", "source_meeting_type", "target_meeting_type")
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    SOURCE_MEETING_TYPE_FIELD_NUMBER: _ClassVar[int]
    TARGET_MEETING_TYPE_FIELD_NUMBER: _ClassVar[int]
    identity: str
    source_meeting_type: _common_pb2.SourceMeetingType
    target_meeting_type: _common_pb2.TargetMeetingType
    def __init__(self, identity: _Optional[str] = ..., source_meeting_type: _Optional[_Union[_common_pb2.SourceMeetingType, str]] = ..., target_meeting_type: _Optional[_Union[_common_pb2.TargetMeetingType, str]] = ...) -> None: ...

class StartMeetingMigrationResponse(_message.Message):
    __slots__ = ("queued", "reason", "correlation_id", "status")
    QUEUED_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    queued: bool
    reason: str
    correlation_id: str
    status: MigrationStatus
    def __init__(self, queued: _Optional[bool] = ..., reason: _Optional[str] = ..., correlation_id: _Optional[str] = ..., status: _Optional[_Union[MigrationStatus, _Mapping]] = ...) -> None: ...

class MigrationStatus(_message.Message):
    __slots__ = ("correlation_id", "user_id", "user_principal_name", "state", "migration_type", "retry_count", "last_message", "create_date_micros", "modified_date_micros", "total_meeting", "succeeded_meeting", "failed_meeting", "invites_update", "next_attempt_micros", "resumes_after_micros", "refused_recipients")
    CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_PRINCIPAL_NAME_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    MIGRATION_TYPE_FIELD_NUMBER: _ClassVar[int]
    RETRY_COUNT_FIELD_NUMBER: _ClassVar[int]
    LAST_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    CREATE_DATE_MICROS_FIELD_NUMBER: _ClassVar[int]
    MODIFIED_DATE_MICROS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_MEETING_FIELD_NUMBER: _ClassVar[int]
    SUCCEEDED_MEETING_FIELD_NUMBER: _ClassVar[int]
    FAILED_MEETING_FIELD_NUMBER: _ClassVar[int]
    INVITES_UPDATE_FIELD_NUMBER: _ClassVar[int]
    NEXT_ATTEMPT_MICROS_FIELD_NUMBER: _ClassVar[int]
    RESUMES_AFTER_MICROS_FIELD_NUMBER: _ClassVar[int]
    REFUSED_RECIPIENTS_FIELD_NUMBER: _ClassVar[int]
    correlation_id: str
    user_id: str
    user_principal_name: str
    state: _common_pb2.MigrationState
    migration_type: _common_pb2.MigrationType
    retry_count: int
    last_message: str
    create_date_micros: int
    modified_date_micros: int
    total_meeting: int
    succeeded_meeting: int
    failed_meeting: int
    invites_update: int
    next_attempt_micros: int
    resumes_after_micros: int
    refused_recipients: int
    def __init__(self, correlation_id: _Optional[str] = ..., user_id: _Optional[str] = ..., user_principal_name: _Optional[str] = ..., state: _Optional[_Union[_common_pb2.MigrationState, str]] = ..., migration_type: _Optional[_Union[_common_pb2.MigrationType, str]] = ..., retry_count: _Optional[int] = ..., last_message: _Optional[str] = ..., create_date_micros: _Optional[int] = ..., modified_date_micros: _Optional[int] = ..., total_meeting: _Optional[int] = ..., succeeded_meeting: _Optional[int] = ..., failed_meeting: _Optional[int] = ..., invites_update: _Optional[int] = ..., next_attempt_micros: _Optional[int] = ..., resumes_after_micros: _Optional[int] = ..., refused_recipients: _Optional[int] = ...) -> None: ...

class GetMigrationStatusRequest(_message.Message):
    __slots__ = ("identity", "start_time_micros", "end_time_micros", "state", "summary_only", "limit")
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    START_TIME_MICROS_FIELD_NUMBER: _ClassVar[int]
    END_TIME_MICROS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_ONLY_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    identity: str
    start_time_micros: int
    end_time_micros: int
    state: _common_pb2.MigrationState
    summary_only: bool
    limit: int
    def __init__(self, identity: _Optional[str] = ..., start_time_micros: _Optional[int] = ..., end_time_micros: _Optional[int] = ..., state: _Optional[_Union[_common_pb2.MigrationState, str]] = ..., summary_only: _Optional[bool] = ..., limit: _Optional[int] = ...) -> None: ...

class StateUserCount(_message.Message):
    __slots__ = ("state", "user_count")
    STATE_FIELD_NUMBER: _ClassVar[int]
    USER_COUNT_FIELD_NUMBER: _ClassVar[int]
    state: _common_pb2.MigrationState
    user_count: int
    def __init__(self, state: _Optional[_Union[_common_pb2.MigrationState, str]] = ..., user_count: _Optional[int] = ...) -> None: ...

class GetMigrationStatusResponse(_message.Message):
    __slots__ = ("records", "summary")
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    SUMMARY_FIELD_NUMBER: _ClassVar[int]
    records: _containers.RepeatedCompositeFieldContainer[MigrationStatus]
    summary: _containers.RepeatedCompositeFieldContainer[StateUserCount]
    def __init__(self, records: _Optional[_Iterable[_Union[MigrationStatus, _Mapping]]] = ..., summary: _Optional[_Iterable[_Union[StateUserCount, _Mapping]]] = ...) -> None: ...

class MeetingOutcomeRecord(_message.Message):
    __slots__ = ("correlation_id", "meeting_id", "subject", "outcome", "reason", "recorded_micros")
    CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    MEETING_ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RECORDED_MICROS_FIELD_NUMBER: _ClassVar[int]
    correlation_id: str
    meeting_id: str
    subject: str
    outcome: MeetingOutcome
    reason: str
    recorded_micros: int
    def __init__(self, correlation_id: _Optional[str] = ..., meeting_id: _Optional[str] = ..., subject: _Optional[str] = ..., outcome: _Optional[_Union[MeetingOutcome, str]] = ..., reason: _Optional[str] = ..., recorded_micros: _Optional[int] = ...) -> None: ...

class ListMeetingOutcomesRequest(_message.Message):
    __slots__ = ("correlation_id", "identity", "page_size", "page_token")
    CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    correlation_id: str
    identity: str
    page_size: int
    page_token: str
    def __init__(self, correlation_id: _Optional[str] = ..., identity: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListMeetingOutcomesResponse(_message.Message):
    __slots__ = ("outcomes", "next_page_token")
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    outcomes: _containers.RepeatedCompositeFieldContainer[MeetingOutcomeRecord]
    next_page_token: str
    def __init__(self, outcomes: _Optional[_Iterable[_Union[MeetingOutcomeRecord, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class WatchMigrationRequest(_message.Message):
    __slots__ = ("identity", "until_finished")
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    UNTIL_FINISHED_FIELD_NUMBER: _ClassVar[int]
    identity: str
    until_finished: bool
    def __init__(self, identity: _Optional[str] = ..., until_finished: _Optional[bool] = ...) -> None: ...

class PreviewMeetingMigrationRequest(_message.Message):
    __slots__ = ("identity", "source_meeting_type", "target_meeting_type")
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    SOURCE_MEETING_TYPE_FIELD_NUMBER: _ClassVar[int]
    TARGET_MEETING_TYPE_FIELD_NUMBER: _ClassVar[int]
    identity: str
    source_meeting_type: _common_pb2.SourceMeetingType
    target_meeting_type: _common_pb2.TargetMeetingType
    def __init__(self, identity: _Optional[str] = ..., source_meeting_type: _Optional[_Union[_common_pb2.SourceMeetingType, str]] = ..., target_meeting_type: _Optional[_Union[_common_pb2.TargetMeetingType, str]] = ...) -> None: ...

class MeetingPreview(_message.Message):
    __slots__ = ("meeting_id", "location", "subject", "start_micros", "organizer", "attendee_count", "outcome", "skip_reason", "reason", "old_block", "new_block", "target_kind", "new_join_url", "undetermined", "body", "sequence", "resource", "stamped_properties", "writes", "diff", "details_omitted")
    MEETING_ID_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    START_MICROS_FIELD_NUMBER: _ClassVar[int]
    ORGANIZER_FIELD_NUMBER: _ClassVar[int]
    ATTENDEE_COUNT_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    SKIP_REASON_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    OLD_BLOCK_FIELD_NUMBER: _ClassVar[int]
    NEW_BLOCK_FIELD_NUMBER: _ClassVar[int]
    TARGET_KIND_FIELD_NUMBER: _ClassVar[int]
    NEW_JOIN_URL_FIELD_NUMBER: _ClassVar[int]
    UNDETERMINED_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_FIELD_NUMBER: _ClassVar[int]
    STAMPED_PROPERTIES_FIELD_NUMBER: _ClassVar[int]
    WRITES_FIELD_NUMBER: _ClassVar[int]
    DIFF_FIELD_NUMBER: _ClassVar[int]
    DETAILS_OMITTED_FIELD_NUMBER: _ClassVar[int]
    meeting_id: str
    location: str
    subject: str
    start_micros: int
    organizer: str
    attendee_count: int
    outcome: PreviewOutcome
    skip_reason: SkipReason
    reason: str
    old_block: str
    new_block: str
    target_kind: _calendar_pb2.MeetingKind
    new_join_url: str
    undetermined: UndeterminedDetails
    body: str
    sequence: int
    resource: str
    stamped_properties: _containers.RepeatedScalarFieldContainer[str]
    writes: bool
    diff: str
    details_omitted: bool
    def __init__(self, meeting_id: _Optional[str] = ..., location: _Optional[str] = ..., subject: _Optional[str] = ..., start_micros: _Optional[int] = ..., organizer: _Optional[str] = ..., attendee_count: _Optional[int] = ..., outcome: _Optional[_Union[PreviewOutcome, str]] = ..., skip_reason: _Optional[_Union[SkipReason, str]] = ..., reason: _Optional[str] = ..., old_block: _Optional[str] = ..., new_block: _Optional[str] = ..., target_kind: _Optional[_Union[_calendar_pb2.MeetingKind, str]] = ..., new_join_url: _Optional[str] = ..., undetermined: _Optional[_Union[UndeterminedDetails, str]] = ..., body: _Optional[str] = ..., sequence: _Optional[int] = ..., resource: _Optional[str] = ..., stamped_properties: _Optional[_Iterable[str]] = ..., writes: _Optional[bool] = ..., diff: _Optional[str] = ..., details_omitted: _Optional[bool] = ...) -> None: ...
