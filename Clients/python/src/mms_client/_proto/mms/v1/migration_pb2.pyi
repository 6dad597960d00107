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
MEETING_OUTCOME_UNSPECIFIED: MeetingOutcome
MEETING_OUTCOME_MIGRATED: MeetingOutcome
MEETING_OUTCOME_SKIPPED: MeetingOutcome
MEETING_OUTCOME_FAILED: MeetingOutcome

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
