from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class MailboxType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MAILBOX_TYPE_UNSPECIFIED: _ClassVar[MailboxType]
    MAILBOX_TYPE_BUILT_IN: _ClassVar[MailboxType]
    MAILBOX_TYPE_CALDAV: _ClassVar[MailboxType]

class MailTls(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MAIL_TLS_UNSPECIFIED: _ClassVar[MailTls]
    MAIL_TLS_STARTTLS: _ClassVar[MailTls]
    MAIL_TLS_TLS: _ClassVar[MailTls]
    MAIL_TLS_NONE: _ClassVar[MailTls]
MAILBOX_TYPE_UNSPECIFIED: MailboxType
MAILBOX_TYPE_BUILT_IN: MailboxType
MAILBOX_TYPE_CALDAV: MailboxType
MAIL_TLS_UNSPECIFIED: MailTls
MAIL_TLS_STARTTLS: MailTls
MAIL_TLS_TLS: MailTls
MAIL_TLS_NONE: MailTls

class TenantMigrationConfiguration(_message.Message):
    __slots__ = ("meeting_migration_enabled", "status_retention_seconds")
    MEETING_MIGRATION_ENABLED_FIELD_NUMBER: _ClassVar[int]
    STATUS_RETENTION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    meeting_migration_enabled: bool
    status_retention_seconds: int
    def __init__(self, meeting_migration_enabled: _Optional[bool] = ..., status_retention_seconds: _Optional[int] = ...) -> None: ...

class GetTenantMigrationConfigurationRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SetTenantMigrationConfigurationRequest(_message.Message):
    __slots__ = ("configuration",)
    CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    configuration: TenantMigrationConfiguration
    def __init__(self, configuration: _Optional[_Union[TenantMigrationConfiguration, _Mapping]] = ...) -> None: ...

class DialInConferencingTenantSettings(_message.Message):
    __slots__ = ("automatically_migrate_user_meetings",)
    AUTOMATICALLY_MIGRATE_USER_MEETINGS_FIELD_NUMBER: _ClassVar[int]
    automatically_migrate_user_meetings: bool
    def __init__(self, automatically_migrate_user_meetings: _Optional[bool] = ...) -> None: ...

class GetDialInConferencingTenantSettingsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SetDialInConferencingTenantSettingsRequest(_message.Message):
    __slots__ = ("settings",)
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    settings: DialInConferencingTenantSettings
    def __init__(self, settings: _Optional[_Union[DialInConferencingTenantSettings, _Mapping]] = ...) -> None: ...

class MailboxSettings(_message.Message):
    __slots__ = ("type", "url", "username", "path_template", "ca_file", "allow_insecure_http", "password_set")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    PATH_TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    CA_FILE_FIELD_NUMBER: _ClassVar[int]
    ALLOW_INSECURE_HTTP_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_SET_FIELD_NUMBER: _ClassVar[int]
    type: MailboxType
    url: str
    username: str
    path_template: str
    ca_file: str
    allow_insecure_http: bool
    password_set: bool
    def __init__(self, type: _Optional[_Union[MailboxType, str]] = ..., url: _Optional[str] = ..., username: _Optional[str] = ..., path_template: _Optional[str] = ..., ca_file: _Optional[str] = ..., allow_insecure_http: _Optional[bool] = ..., password_set: _Optional[bool] = ...) -> None: ...

class GetMailboxSettingsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SetMailboxSettingsRequest(_message.Message):
    __slots__ = ("settings", "password")
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    settings: MailboxSettings
    password: str
    def __init__(self, settings: _Optional[_Union[MailboxSettings, _Mapping]] = ..., password: _Optional[str] = ...) -> None: ...

class TestMailboxSettingsRequest(_message.Message):
    __slots__ = ("identity",)
    IDENTITY_FIELD_NUMBER: _ClassVar[int]
    identity: str
    def __init__(self, identity: _Optional[str] = ...) -> None: ...

class TestMailboxSettingsResponse(_message.Message):
    __slots__ = ("calendars", "future_meetings", "unreadable")
    CALENDARS_FIELD_NUMBER: _ClassVar[int]
    FUTURE_MEETINGS_FIELD_NUMBER: _ClassVar[int]
    UNREADABLE_FIELD_NUMBER: _ClassVar[int]
    calendars: _containers.RepeatedScalarFieldContainer[str]
    future_meetings: int
    unreadable: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, calendars: _Optional[_Iterable[str]] = ..., future_meetings: _Optional[int] = ..., unreadable: _Optional[_Iterable[str]] = ...) -> None: ...

class MailSettings(_message.Message):
    __slots__ = ("smtp_host", "smtp_port", "tls", "username", "sender_address", "rate_limit", "allow_insecure", "password_set", "configured")
    SMTP_HOST_FIELD_NUMBER: _ClassVar[int]
    SMTP_PORT_FIELD_NUMBER: _ClassVar[int]
    TLS_FIELD_NUMBER: _ClassVar[int]
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    SENDER_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    RATE_LIMIT_FIELD_NUMBER: _ClassVar[int]
    ALLOW_INSECURE_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_SET_FIELD_NUMBER: _ClassVar[int]
    CONFIGURED_FIELD_NUMBER: _ClassVar[int]
    smtp_host: str
    smtp_port: int
    tls: MailTls
    username: str
    sender_address: str
    rate_limit: float
    allow_insecure: bool
    password_set: bool
    configured: bool
    def __init__(self, smtp_host: _Optional[str] = ..., smtp_port: _Optional[int] = ..., tls: _Optional[_Union[MailTls, str]] = ..., username: _Optional[str] = ..., sender_address: _Optional[str] = ..., rate_limit: _Optional[float] = ..., allow_insecure: _Optional[bool] = ..., password_set: _Optional[bool] = ..., configured: _Optional[bool] = ...) -> None: ...

class GetMailSettingsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SetMailSettingsRequest(_message.Message):
    __slots__ = ("settings", "password", "keep_password", "remove")
    SETTINGS_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    KEEP_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    REMOVE_FIELD_NUMBER: _ClassVar[int]
    settings: MailSettings
    password: str
    keep_password: bool
    remove: bool
    def __init__(self, settings: _Optional[_Union[MailSettings, _Mapping]] = ..., password: _Optional[str] = ..., keep_password: _Optional[bool] = ..., remove: _Optional[bool] = ...) -> None: ...

class TestMailSettingsRequest(_message.Message):
    __slots__ = ("to",)
    TO_FIELD_NUMBER: _ClassVar[int]
    to: str
    def __init__(self, to: _Optional[str] = ...) -> None: ...

class TestMailSettingsResponse(_message.Message):
    __slots__ = ("reply",)
    REPLY_FIELD_NUMBER: _ClassVar[int]
    reply: str
    def __init__(self, reply: _Optional[str] = ...) -> None: ...
