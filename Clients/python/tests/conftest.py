"""Fixtures: the real `mms-server` on a free loopback port with a temporary data directory.

The binary is `$MMS_SERVER_BIN`, else `<repository>/.build/debug/mms-server` (`swift build
--product mms-server`). A missing binary fails the tests; none is skipped.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from mms_client import Client, RpcError
from mms_client import messages as pb

REPOSITORY = pathlib.Path(__file__).resolve().parents[3]


def server_binary() -> pathlib.Path:
    path = pathlib.Path(os.environ.get("MMS_SERVER_BIN", REPOSITORY / ".build" / "debug" / "mms-server"))
    if not path.is_file():
        pytest.fail(f"{path} not found: build it with `swift build --product mms-server`, or set MMS_SERVER_BIN")
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ServerProcess:
    """One `mms-server`, started with `--hold 0` unless told otherwise."""

    def __init__(self, extra: list[str] | None = None, hold: str = "0") -> None:
        self.root = pathlib.Path(tempfile.mkdtemp(prefix="mms-pytest-"))
        self.data_dir = self.root / "data"
        self.log_path = self.root / "server.log"
        self.extra = extra or []
        self.hold = hold
        self.process: subprocess.Popen[bytes] | None = None
        self.endpoint = ""

    def start(self, tls: object = None) -> ServerProcess:
        """Starts the server and waits until a health check answers SERVING (through `tls` if given)."""
        last = ""
        for _ in range(3):  # another process may take the free port before the server binds it
            self.endpoint = f"127.0.0.1:{free_port()}"
            arguments = [
                str(server_binary()),
                "--listen",
                self.endpoint,
                "--data-dir",
                str(self.data_dir),
                "--hold",
                self.hold,
                "--retry-schedule",
                "1s,1s",
                "--workers",
                "2",
                "--threads",
                "1",
                "--log-level",
                "warning",
                "--shutdown-grace",
                "2s",
                *self.extra,
            ]
            environment = {k: v for k, v in os.environ.items() if not k.startswith("MMS_")}
            with open(self.log_path, "wb") as log:
                self.process = subprocess.Popen(
                    arguments, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=environment
                )
            deadline = time.monotonic() + 30
            try:
                while time.monotonic() < deadline and self.process.poll() is None:
                    try:
                        with Client(self.endpoint, tls=tls, timeout=2, connect_timeout=2) as probe:  # type: ignore[arg-type]
                            if probe.health_check().status == pb.SERVING_STATUS_SERVING:
                                return self
                    except RpcError:
                        time.sleep(0.05)
            except BaseException:
                self.kill()  # never leave a server behind
                raise
            last = self.log()
            self.kill()
        shutil.rmtree(self.root, ignore_errors=True)
        raise AssertionError(f"mms-server did not start:\n{last}")

    @property
    def operator_token(self) -> str:
        token_file = self.data_dir / "operator-token"
        assert token_file.stat().st_mode & 0o777 == 0o600
        return token_file.read_text().strip()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def terminate(self) -> int:
        """SIGTERM (graceful shutdown); waits for the exit."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=20)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=20)

    def stop(self) -> None:
        """Stops the server if it runs, and deletes its data directory and log."""
        if self.process is not None and self.process.poll() is None:
            try:
                self.terminate()
            except subprocess.TimeoutExpired:
                self.kill()
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture(scope="session")
def server() -> Iterator[ServerProcess]:
    process = ServerProcess().start()
    yield process
    process.stop()


@dataclass
class Tenant:
    """A fresh tenant on the shared server with an admin and a reader token."""

    server: ServerProcess
    tenant_id: str
    admin_token: str = field(repr=False)  # secrets stay out of test reports
    reader_token: str = field(repr=False)

    def client(self, token: str | None = "admin", **options: object) -> Client:
        secret = {"admin": self.admin_token, "reader": self.reader_token}.get(token or "", token)
        return Client(self.server.endpoint, token=secret, **options)  # type: ignore[arg-type]

    def create_user(self, client: Client, name: str, **fields: object) -> str:
        identity = f"{name}@{self.tenant_id}.example.com"
        user = pb.User(
            user_principal_name=identity,
            homing=pb.HOMING_ONLINE,
            mailbox=pb.MAILBOX_LOCATION_ONLINE,
            audio_conferencing_provider=pb.AUDIO_CONFERENCING_PROVIDER_MICROSOFT,
            **fields,  # type: ignore[arg-type]
        )
        created = client.unary("mms.v1.DirectoryService/CreateUser", pb.CreateUserRequest(user=user), pb.User)
        assert created.user_principal_name == identity
        return identity

    def add_meeting(self, client: Client, organizer: str) -> pb.Meeting:
        start = int((time.time() + 86_400) * 1_000_000)
        meeting = pb.Meeting(
            organizer=organizer,
            attendees=["bob@fabrikam.example.com", "carol@fabrikam.example.com"],
            start_micros=start,
            end_micros=start + 1_800_000_000,
            subject="Weekly sync",
            body="<p>Agenda: café ☕</p>",
            body_format=pb.BODY_FORMAT_HTML,
            kind=pb.MEETING_KIND_SKYPE_ON_PREMISES,
            created_through_service=True,
        )
        return client.unary("mms.v1.CalendarService/AddMeeting", pb.AddMeetingRequest(meeting=meeting), pb.Meeting)


def make_tenant(server: ServerProcess) -> Tenant:
    tenant_id = f"py-{uuid.uuid4().hex[:8]}"
    with Client(server.endpoint, token=server.operator_token) as operator:
        operator.unary(
            "mms.v1.AdminService/CreateTenant",
            pb.CreateTenantRequest(tenant_id=tenant_id, display_name=f"Python {tenant_id}"),
            pb.Tenant,
        )
        tokens = {}
        for role in (pb.ROLE_TENANT_ADMIN, pb.ROLE_TENANT_READER):
            created = operator.unary(
                "mms.v1.AdminService/CreateToken",
                pb.CreateTokenRequest(tenant_id=tenant_id, role=role, description="pytest"),
                pb.CreateTokenResponse,
            )
            tokens[role] = created.token
    return Tenant(server, tenant_id, tokens[pb.ROLE_TENANT_ADMIN], tokens[pb.ROLE_TENANT_READER])


@pytest.fixture
def tenant(server: ServerProcess) -> Tenant:
    return make_tenant(server)


class SilentSMTP:
    """A TCP listener that accepts and never says a word: an SMTP relay that hangs, so that a
    TestMailSettings call stays in flight until it is cancelled or its deadline passes. It records
    when the server closes each connection it accepted (the server's handler was cancelled)."""

    def __init__(self) -> None:
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port: int = self.listener.getsockname()[1]
        self.accepted = threading.Event()
        self.closed_by_peer = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.accepted.set()
            threading.Thread(target=self._hold, args=(connection,), daemon=True).start()

    def _hold(self, connection: socket.socket) -> None:
        with connection:
            try:
                while connection.recv(4096):
                    pass
            except OSError:
                pass
            self.closed_by_peer.set()

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def silent_smtp() -> Iterator[SilentSMTP]:
    relay = SilentSMTP()
    yield relay
    relay.close()
