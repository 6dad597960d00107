"""Status codes (docs/PROTOCOL.md §5) and the exception a failed call raises."""

from __future__ import annotations

from enum import IntEnum


class StatusCode(IntEnum):
    """The protocol's status codes: gRPC's, with the same numbers."""

    OK = 0
    CANCELLED = 1
    UNKNOWN = 2
    INVALID_ARGUMENT = 3
    DEADLINE_EXCEEDED = 4
    NOT_FOUND = 5
    ALREADY_EXISTS = 6
    PERMISSION_DENIED = 7
    RESOURCE_EXHAUSTED = 8
    FAILED_PRECONDITION = 9
    ABORTED = 10
    OUT_OF_RANGE = 11
    UNIMPLEMENTED = 12
    INTERNAL = 13
    UNAVAILABLE = 14
    DATA_LOSS = 15
    UNAUTHENTICATED = 16

    @classmethod
    def of(cls, value: int) -> StatusCode:
        """The code for a number on the wire; a number this client does not know is UNKNOWN."""
        try:
            return cls(value)
        except ValueError:
            return cls.UNKNOWN


class RpcError(Exception):
    """A call that ended with a status other than OK.

    Raised for the server's STATUS, and for what the client decides itself: its own deadline
    (DEADLINE_EXCEEDED), a cancel (CANCELLED), a lost or refused connection (UNAVAILABLE).
    """

    def __init__(
        self,
        code: StatusCode,
        message: str,
        details: bytes = b"",
        trailing_metadata: list[tuple[str, str]] | None = None,
        method: str = "",
    ) -> None:
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.message = message
        self.details = details
        self.trailing_metadata = trailing_metadata or []
        self.method = method

    def __repr__(self) -> str:
        return f"RpcError({self.code.name}, {self.message!r}, method={self.method!r})"
