"""A Python client of the Meeting Migration Service's RPC protocol (docs/PROTOCOL.md).

    from mms_client import Client, RpcError, StatusCode, messages as pb

    with Client("127.0.0.1:7450", token=token) as client:
        reply = client.start_meeting_migration(pb.StartMeetingMigrationRequest(identity="ashaw@contoso.com"))

The asyncio client is :class:`mms_client.aio.AsyncClient`, with the same methods.
"""

from . import messages
from .aio import DEFAULT, AsyncClient, AsyncStream
from .client import Cancellation, Client, Stream
from .errors import RpcError, StatusCode
from .tls import ALPN_PROTOCOL, TLSConfig

__all__ = [
    "ALPN_PROTOCOL",
    "AsyncClient",
    "AsyncStream",
    "Cancellation",
    "Client",
    "DEFAULT",
    "RpcError",
    "StatusCode",
    "Stream",
    "TLSConfig",
    "messages",
]
__version__ = "1.0.0"
