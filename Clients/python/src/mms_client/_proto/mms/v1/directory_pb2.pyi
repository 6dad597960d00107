from mms_client._proto.mms.v1 import migration_pb2 as _migration_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Homing(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    HOMING_UNSPECIFIED: _ClassVar[Homing]
    HOMING_ON_PREMISES: _ClassVar[Homing]
    HOMING_ONLINE: _ClassVar[Homing]

class MailboxLocation(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MAILBOX_LOCATION_UNSPECIFIED: _ClassVar[MailboxLocation]
    MAILBOX_LOCATION_ONLINE: _ClassVar[MailboxLocation]
    MAILBOX_LOCATION_ON_PREMISES_EXCHANGE: _ClassVar[MailboxLocation]

class TeamsUpgradeMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TEAMS_UPGRADE_MODE_UNSPECIFIED: _ClassVar[TeamsUpgradeMode]
    TEAMS_UPGRADE_MODE_ISLANDS: _ClassVar[TeamsUpgradeMode]
    TEAMS_UPGRADE_MODE_SFB_ONLY: _ClassVar[TeamsUpgradeMode]
    TEAMS_UPGRADE_MODE_SFB_WITH_TEAMS_COLLAB: _ClassVar[TeamsUpgradeMode]
    TEAMS_UPGRADE_MODE_SFB_WITH_TEAMS_COLLAB_AND_MEETINGS: _ClassVar[TeamsUpgradeMode]
    TEAMS_UPGRADE_MODE_TEAMS_ONLY: _ClassVar[TeamsUpgradeMode]

class AudioConferencingProvider(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AUDIO_CONFERENCING_PROVIDER_UNSPECIFIED: _ClassVar[AudioConferencingProvider]
    AUDIO_CONFERENCING_PROVIDER_MICROSOFT: _ClassVar[AudioConferencingProvider]
    AUDIO_CONFERENCING_PROVIDER_THIRD_PARTY: _ClassVar[AudioConferencingProvider]
HOMING_UNSPECIFIED: Homing
HOMING_ON_PREMISES: Homing
HOMING_ONLINE: Homing
MAILBOX_LOCATION_UNSPECIFIED: MailboxLocation
MAILBOX_LOCATION_ONLINE: MailboxLocation
MAILBOX_LOCATION_ON_PREMISES_EXCHANGE: MailboxLocation
TEAMS_UPGRADE_MODE_UNSPECIFIED: TeamsUpgradeMode
TEAMS_UPGRADE_MODE_ISLANDS: TeamsUpgradeMode
TEAMS_UPGRADE_MODE_SFB_ONLY: TeamsUpgradeMode
TEAMS_UPGRADE_MODE_SFB_WITH_TEAMS_COLLAB: TeamsUpgradeMode
TEAMS_UPGRADE_MODE_SFB_WITH_TEAMS_COLLAB_AND_MEETINGS: TeamsUpgradeMode
TEAMS_UPGRADE_MODE_TEAMS_ONLY: TeamsUpgradeMode
AUDIO_CONFERENCING_PROVIDER_UNSPECIFIED: AudioConferencingProvider
AUDIO_CONFERENCING_PROVIDER_MICROSOFT: AudioConferencingProvider
AUDIO_CONFERENCING_PROVIDER_THIRD_PARTY: AudioConferencingProvider

class User(_message.Message):
    __slots__ = ("user_id", "user_principal_name", "sip_address", "homing", "mailbox", "teams_upgrade_mode", "audio_conferencing_licensed", "audio_conferencing_provider", "audio_conferencing_enabled", "bridge_id", "conference_id")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_PRINCIPAL_NAME_FIELD_NUMBER: _ClassVar[int]
    SIP_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    HOMING_FIELD_NUMBER: _ClassVar[int]
    MAILBOX_FIELD_NUMBER: _ClassVar[int]
    TEAMS_UPGRADE_MODE_FIELD_NUMBER: _ClassVar[int]
    AUDIO_CONFERENCING_LICENSED_FIELD_NUMBER: _ClassVar[int]
    AUDIO_CONFERENCING_PROVIDER_FIELD_NUMBER: _ClassVar[int]
    AUDIO_CONFERENCING_ENABLED_FIELD_NUMBER: _ClassVar[int]
    BRIDGE_ID_FIELD_NUMBER: _ClassVar[int]
    CONFERENCE_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    user_principal_name: str
    sip_address: str
    homing: Homing
    mailbox: MailboxLocation
    teams_upgrade_mode: TeamsUpgradeMode
    audio_conferencing_licensed: bool
    audio_conferencing_provider: AudioConferencingProvider
    audio_conferencing_enabled: bool
    bridge_id: str
    conference_id: str
    def __init__(self, user_id: _Optional[str] = ..., user_principal_name: _Optional[str] = ..., sip_address: _Optional[str] = ..., homing: _Optional[_Union[Homing, str]] = ..., mailbox: _Optional[_Union[MailboxLocation, str]] = ..., teams_upgrade_mode: _Optional[_Union[TeamsUpgradeMode, str]] = ..., audio_conferencing_licensed: _Optional[bool] = ..., audio_conferencing_provider: _Optional[_Union[AudioConferencingProvider, str]] = ..., audio_conferencing_enabled: _Optional[bool] = ..., bridge_id: _Optional[str] = ..., conference_id: _Optional[str] = ...) -> None: ...

class CreateUserRequest(_message.Message):
    __slots__ = ("user",)
    USER_FIELD_NUMBER: _ClassVar[int]
    user: User
    def __init__(self, user: _Optional[_Union[User, _Mapping]] = ...) -> None: ...

class GetUserRequest(_message.Message):
    __slots__ = ("identity",)
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    identity: str
    def __init__(self, identity: _Optional[str] = ...) -> None: ...

class ListUsersRequest(_message.Message):
    __slots__ = ("limit", "page_size", "page_token")
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    limit: int
    page_size: int
    page_token: str
    def __init__(self, limit: _Optional[int] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListUsersResponse(_message.Message):
    __slots__ = ("users", "next_page_token")
    USERS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    users: _containers.RepeatedCompositeFieldContainer[User]
    next_page_token: str
    def __init__(self, users: _Optional[_Iterable[_Union[User, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class DirectoryChangeResponse(_message.Message):
    __slots__ = ("user", "queued", "reason", "reason_code", "change_applied", "status")
    USER_FIELD_NUMBER: _ClassVar[int]
    QUEUED_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REASON_CODE_FIELD_NUMBER: _ClassVar[int]
    CHANGE_APPLIED_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    user: User
    queued: bool
    reason: str
    reason_code: str
    change_applied: bool
    status: _migration_pb2.MigrationStatus
    def __init__(self, user: _Optional[_Union[User, _Mapping]] = ..., queued: _Optional[bool] = ..., reason: _Optional[str] = ..., reason_code: _Optional[str] = ..., change_applied: _Optional[bool] = ..., status: _Optional[_Union[_migration_pb2.MigrationStatus, _Mapping]] = ...) -> None: ...

class MoveUserRequest(_message.Message):
    __slots__ = ("identity", "to")
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    identity: str
    to: Homing
    def __init__(self, identity: _Optional[str] = ..., to: _Optional[_Union[Homing, str]] = ...) -> None: ...

class GrantTeamsUpgradePolicyRequest(_message.Message):
    __slots__ = ("identity", "mode", "skip_meeting_migration")
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    MODE_FIELD_NUMBER: _ClassVar[int]
    SKIP_MEETING_MIGRATION_FIELD_NUMBER: _ClassVar[int]
    identity: str
    mode: TeamsUpgradeMode
    skip_meeting_migration: bool
    def __init__(self, identity: _Optional[str] = ..., mode: _Optional[_Union[TeamsUpgradeMode, str]] = ..., skip_meeting_migration: _Optional[bool] = ...) -> None: ...

class GrantTenantTeamsUpgradePolicyRequest(_message.Message):
    __slots__ = ("mode", "skip_meeting_migration")
    MODE_FIELD_NUMBER: _ClassVar[int]
    SKIP_MEETING_MIGRATION_FIELD_NUMBER: _ClassVar[int]
    mode: TeamsUpgradeMode
    skip_meeting_migration: bool
    def __init__(self, mode: _Optional[_Union[TeamsUpgradeMode, str]] = ..., skip_meeting_migration: _Optional[bool] = ...) -> None: ...

class SetAudioConferencingLicenceRequest(_message.Message):
    __slots__ = ("identity", "licensed")
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    LICENSED_FIELD_NUMBER: _ClassVar[int]
    identity: str
    licensed: bool
    def __init__(self, identity: _Optional[str] = ..., licensed: _Optional[bool] = ...) -> None: ...

class SetAudioConferencingProviderRequest(_message.Message):
    __slots__ = ("identity", "provider")
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    identity: str
    provider: AudioConferencingProvider
    def __init__(self, identity: _Optional[str] = ..., provider: _Optional[_Union[AudioConferencingProvider, str]] = ...) -> None: ...

class SetAudioConferencingEnabledRequest(_message.Message):
    __slots__ = ("identity", "enabled")
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    identity: str
    enabled: bool
    def __init__(self, identity: _Optional[str] = ..., enabled: _Optional[bool] = ...) -> None: ...

class ChangeConferenceIdRequest(_message.Message):
    __slots__ = ("identity", "conference_id")
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    CONFERENCE_ID_FIELD_NUMBER: _ClassVar[int]
    identity: str
    conference_id: str
    def __init__(self, identity: _Optional[str] = ..., conference_id: _Optional[str] = ...) -> None: ...

class MoveUserToBridgeRequest(_message.Message):
    __slots__ = ("identity", "bridge_id")
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    BRIDGE_ID_FIELD_NUMBER: _ClassVar[int]
    identity: str
    bridge_id: str
    def __init__(self, identity: _Optional[str] = ..., bridge_id: _Optional[str] = ...) -> None: ...

class ChangeSipAddressRequest(_message.Message):
    __slots__ = ("identity", "sip_address")
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    SIP_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    identity: str
    sip_address: str
    def __init__(self, identity: _Optional[str] = ..., sip_address: _Optional[str] = ...) -> None: ...

class UpdateTenantMeetingUrlRequest(_message.Message):
    __slots__ = ("host",)
    HOST_FIELD_NUMBER: _ClassVar[int]
    host: str
    def __init__(self, host: _Optional[str] = ...) -> None: ...

class DialInNumber(_message.Message):
    __slots__ = ("number", "label")
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    number: str
    label: str
    def __init__(self, number: _Optional[str] = ..., label: _Optional[str] = ...) -> None: ...

class Bridge(_message.Message):
    __slots__ = ("bridge_id", "name", "numbers")
    BRIDGE_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NUMBERS_FIELD_NUMBER: _ClassVar[int]
    bridge_id: str
    name: str
    numbers: _containers.RepeatedCompositeFieldContainer[DialInNumber]
    def __init__(self, bridge_id: _Optional[str] = ..., name: _Optional[str] = ..., numbers: _Optional[_Iterable[_Union[DialInNumber, _Mapping]]] = ...) -> None: ...

class SaveBridgeRequest(_message.Message):
    __slots__ = ("bridge",)
    BRIDGE_FIELD_NUMBER: _ClassVar[int]
    bridge: Bridge
    def __init__(self, bridge: _Optional[_Union[Bridge, _Mapping]] = ...) -> None: ...

class ListBridgesRequest(_message.Message):
    __slots__ = ("page_size", "page_token")
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    page_size: int
    page_token: str
    def __init__(self, page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListBridgesResponse(_message.Message):
    __slots__ = ("bridges", "next_page_token")
    BRIDGES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    bridges: _containers.RepeatedCompositeFieldContainer[Bridge]
    next_page_token: str
    def __init__(self, bridges: _Optional[_Iterable[_Union[Bridge, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class UnassignBridgeNumberRequest(_message.Message):
    __slots__ = ("bridge_id", "number")
    BRIDGE_ID_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    bridge_id: str
    number: str
    def __init__(self, bridge_id: _Optional[str] = ..., number: _Optional[str] = ...) -> None: ...

class UnassignBridgeNumberResponse(_message.Message):
    __slots__ = ("bridge", "outcomes")
    BRIDGE_FIELD_NUMBER: _ClassVar[int]
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    bridge: Bridge
    outcomes: _containers.RepeatedCompositeFieldContainer[DirectoryChangeResponse]
    def __init__(self, bridge: _Optional[_Union[Bridge, _Mapping]] = ..., outcomes: _Optional[_Iterable[_Union[DirectoryChangeResponse, _Mapping]]] = ...) -> None: ...
