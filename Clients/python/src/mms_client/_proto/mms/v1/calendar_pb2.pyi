from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class MeetingKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MEETING_KIND_UNSPECIFIED: _ClassVar[MeetingKind]
    MEETING_KIND_SKYPE_ON_PREMISES: _ClassVar[MeetingKind]
    MEETING_KIND_SKYPE_ONLINE: _ClassVar[MeetingKind]
    MEETING_KIND_TEAMS: _ClassVar[MeetingKind]

class BodyFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BODY_FORMAT_UNSPECIFIED: _ClassVar[BodyFormat]
    BODY_FORMAT_HTML: _ClassVar[BodyFormat]
    BODY_FORMAT_PLAIN_TEXT: _ClassVar[BodyFormat]

class ImportOutcome(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    IMPORT_OUTCOME_UNSPECIFIED: _ClassVar[ImportOutcome]
    IMPORT_OUTCOME_REGISTERED: _ClassVar[ImportOutcome]
    IMPORT_OUTCOME_ALREADY_REGISTERED: _ClassVar[ImportOutcome]
    IMPORT_OUTCOME_PASTED: _ClassVar[ImportOutcome]
    IMPORT_OUTCOME_NO_BLOCK: _ClassVar[ImportOutcome]
MEETING_KIND_UNSPECIFIED: MeetingKind
MEETING_KIND_SKYPE_ON_PREMISES: MeetingKind
MEETING_KIND_SKYPE_ONLINE: MeetingKind
MEETING_KIND_TEAMS: MeetingKind
BODY_FORMAT_UNSPECIFIED: BodyFormat
BODY_FORMAT_HTML: BodyFormat
BODY_FORMAT_PLAIN_TEXT: BodyFormat
IMPORT_OUTCOME_UNSPECIFIED: ImportOutcome
IMPORT_OUTCOME_REGISTERED: ImportOutcome
IMPORT_OUTCOME_ALREADY_REGISTERED: ImportOutcome
IMPORT_OUTCOME_PASTED: ImportOutcome
IMPORT_OUTCOME_NO_BLOCK: ImportOutcome

class Attachment(_message.Message):
    __slots__ = ("name", "content_type", "content")
    NAME_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    name: str
    content_type: str
    content: bytes
    def __init__(self, name: _Optional[str] = ..., content_type: _Optional[str] = ..., content: _Optional[bytes] = ...) -> None: ...

class Meeting(_message.Message):
    __slots__ = ("meeting_id", "organizer", "attendees", "start_micros", "end_micros", "subject", "body", "body_format", "attachments", "kind", "created_through_service", "version", "rrule")
    MEETING_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZER_FIELD_NUMBER: _ClassVar[int]
    ATTENDEES_FIELD_NUMBER: _ClassVar[int]
    START_MICROS_FIELD_NUMBER: _ClassVar[int]
    END_MICROS_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    BODY_FIELD_NUMBER: _ClassVar[int]
    BODY_FORMAT_FIELD_NUMBER: _ClassVar[int]
    ATTACHMENTS_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CREATED_THROUGH_SERVICE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    RRULE_FIELD_NUMBER: _ClassVar[int]
    meeting_id: str
    organizer: str
    attendees: _containers.RepeatedScalarFieldContainer[str]
    start_micros: int
    end_micros: int
    subject: str
    body: str
    body_format: BodyFormat
    attachments: _containers.RepeatedCompositeFieldContainer[Attachment]
    kind: MeetingKind
    created_through_service: bool
    version: int
    rrule: str
    def __init__(self, meeting_id: _Optional[str] = ..., organizer: _Optional[str] = ..., attendees: _Optional[_Iterable[str]] = ..., start_micros: _Optional[int] = ..., end_micros: _Optional[int] = ..., subject: _Optional[str] = ..., body: _Optional[str] = ..., body_format: _Optional[_Union[BodyFormat, str]] = ..., attachments: _Optional[_Iterable[_Union[Attachment, _Mapping]]] = ..., kind: _Optional[_Union[MeetingKind, str]] = ..., created_through_service: _Optional[bool] = ..., version: _Optional[int] = ..., rrule: _Optional[str] = ...) -> None: ...

class AddMeetingRequest(_message.Message):
    __slots__ = ("meeting",)
    MEETING_FIELD_NUMBER: _ClassVar[int]
    meeting: Meeting
    def __init__(self, meeting: _Optional[_Union[Meeting, _Mapping]] = ...) -> None: ...

class ListMeetingsRequest(_message.Message):
    __slots__ = ("identity", "include_bodies", "page_size", "page_token")
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    INCLUDE_BODIES_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    identity: str
    include_bodies: bool
    page_size: int
    page_token: str
    def __init__(self, identity: _Optional[str] = ..., include_bodies: _Optional[bool] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListMeetingsResponse(_message.Message):
    __slots__ = ("meetings", "next_page_token")
    MEETINGS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    meetings: _containers.RepeatedCompositeFieldContainer[Meeting]
    next_page_token: str
    def __init__(self, meetings: _Optional[_Iterable[_Union[Meeting, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetMeetingRequest(_message.Message):
    __slots__ = ("meeting_id",)
    MEETING_ID_FIELD_NUMBER: _ClassVar[int]
    meeting_id: str
    def __init__(self, meeting_id: _Optional[str] = ...) -> None: ...

class Invitation(_message.Message):
    __slots__ = ("invitation_id", "meeting_id", "correlation_id", "recipients", "subject", "created_micros", "sent_micros", "outcomes", "message_id")
    INVITATION_ID_FIELD_NUMBER: _ClassVar[int]
    MEETING_ID_FIELD_NUMBER: _ClassVar[int]
    CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    RECIPIENTS_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    CREATED_MICROS_FIELD_NUMBER: _ClassVar[int]
    SENT_MICROS_FIELD_NUMBER: _ClassVar[int]
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_ID_FIELD_NUMBER: _ClassVar[int]
    invitation_id: str
    meeting_id: str
    correlation_id: str
    recipients: _containers.RepeatedScalarFieldContainer[str]
    subject: str
    created_micros: int
    sent_micros: int
    outcomes: _containers.RepeatedCompositeFieldContainer[RecipientOutcome]
    message_id: str
    def __init__(self, invitation_id: _Optional[str] = ..., meeting_id: _Optional[str] = ..., correlation_id: _Optional[str] = ..., recipients: _Optional[_Iterable[str]] = ..., subject: _Optional[str] = ..., created_micros: _Optional[int] = ..., sent_micros: _Optional[int] = ..., outcomes: _Optional[_Iterable[_Union[RecipientOutcome, _Mapping]]] = ..., message_id: _Optional[str] = ...) -> None: ...

class RecipientOutcome(_message.Message):
    __slots__ = ("recipient", "state", "reply", "attempts", "recorded_micros")
    RECIPIENT_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    REPLY_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    RECORDED_MICROS_FIELD_NUMBER: _ClassVar[int]
    recipient: str
    state: str
    reply: str
    attempts: int
    recorded_micros: int
    def __init__(self, recipient: _Optional[str] = ..., state: _Optional[str] = ..., reply: _Optional[str] = ..., attempts: _Optional[int] = ..., recorded_micros: _Optional[int] = ...) -> None: ...

class ListInvitationsRequest(_message.Message):
    __slots__ = ("meeting_id", "page_size", "page_token")
    MEETING_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    meeting_id: str
    page_size: int
    page_token: str
    def __init__(self, meeting_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListInvitationsResponse(_message.Message):
    __slots__ = ("invitations", "next_page_token")
    INVITATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    invitations: _containers.RepeatedCompositeFieldContainer[Invitation]
    next_page_token: str
    def __init__(self, invitations: _Optional[_Iterable[_Union[Invitation, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ImportMeetingsRequest(_message.Message):
    __slots__ = ("identity",)
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    identity: str
    def __init__(self, identity: _Optional[str] = ...) -> None: ...

class ImportedMeeting(_message.Message):
    __slots__ = ("meeting_id", "subject", "outcome", "reason")
    MEETING_ID_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    meeting_id: str
    subject: str
    outcome: ImportOutcome
    reason: str
    def __init__(self, meeting_id: _Optional[str] = ..., subject: _Optional[str] = ..., outcome: _Optional[_Union[ImportOutcome, str]] = ..., reason: _Optional[str] = ...) -> None: ...

class ImportMeetingsResponse(_message.Message):
    __slots__ = ("meetings",)
    MEETINGS_FIELD_NUMBER: _ClassVar[int]
    meetings: _containers.RepeatedCompositeFieldContainer[ImportedMeeting]
    def __init__(self, meetings: _Optional[_Iterable[_Union[ImportedMeeting, _Mapping]]] = ...) -> None: ...
