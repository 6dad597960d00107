from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

DESCRIPTOR: _descriptor.FileDescriptor

class MigrationState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MIGRATION_STATE_UNSPECIFIED: _ClassVar[MigrationState]
    MIGRATION_STATE_PENDING: _ClassVar[MigrationState]
    MIGRATION_STATE_IN_PROGRESS: _ClassVar[MigrationState]
    MIGRATION_STATE_FAILED: _ClassVar[MigrationState]
    MIGRATION_STATE_SUCCEEDED: _ClassVar[MigrationState]

class MigrationType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MIGRATION_TYPE_UNSPECIFIED: _ClassVar[MigrationType]
    MIGRATION_TYPE_SFB_TO_TEAMS: _ClassVar[MigrationType]
    MIGRATION_TYPE_TEAMS_TO_TEAMS: _ClassVar[MigrationType]
    MIGRATION_TYPE_TO_SAME_TYPE: _ClassVar[MigrationType]
    MIGRATION_TYPE_ALL_TO_TEAMS: _ClassVar[MigrationType]

class SourceMeetingType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SOURCE_MEETING_TYPE_UNSPECIFIED: _ClassVar[SourceMeetingType]
    SOURCE_MEETING_TYPE_ALL: _ClassVar[SourceMeetingType]
    SOURCE_MEETING_TYPE_SFB: _ClassVar[SourceMeetingType]
    SOURCE_MEETING_TYPE_TEAMS: _ClassVar[SourceMeetingType]

class TargetMeetingType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TARGET_MEETING_TYPE_UNSPECIFIED: _ClassVar[TargetMeetingType]
    TARGET_MEETING_TYPE_CURRENT: _ClassVar[TargetMeetingType]
    TARGET_MEETING_TYPE_TEAMS: _ClassVar[TargetMeetingType]
MIGRATION_STATE_UNSPECIFIED: MigrationState
MIGRATION_STATE_PENDING: MigrationState
MIGRATION_STATE_IN_PROGRESS: MigrationState
MIGRATION_STATE_FAILED: MigrationState
MIGRATION_STATE_SUCCEEDED: MigrationState
MIGRATION_TYPE_UNSPECIFIED: MigrationType
MIGRATION_TYPE_SFB_TO_TEAMS: MigrationType
MIGRATION_TYPE_TEAMS_TO_TEAMS: MigrationType
MIGRATION_TYPE_TO_SAME_TYPE: MigrationType
MIGRATION_TYPE_ALL_TO_TEAMS: MigrationType
SOURCE_MEETING_TYPE_UNSPECIFIED: SourceMeetingType
SOURCE_MEETING_TYPE_ALL: SourceMeetingType
SOURCE_MEETING_TYPE_SFB: SourceMeetingType
SOURCE_MEETING_TYPE_TEAMS: SourceMeetingType
TARGET_MEETING_TYPE_UNSPECIFIED: TargetMeetingType
TARGET_MEETING_TYPE_CURRENT: TargetMeetingType
TARGET_MEETING_TYPE_TEAMS: TargetMeetingType
