"""TLS and mutual TLS (issue 13; docs/PROTOCOL.md "TLS"): a CA and certificates made here with
the `openssl` command, the real server started with `--tls-certificate/--tls-key` (and
`--tls-client-ca` for mTLS), the client through Python's ssl module with ALPN `mms/1`.

Run alone: `pytest -k tls`.
"""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator

import pytest
from conftest import ServerProcess, Tenant

from mms_client import Client, RpcError, StatusCode, TLSConfig
from mms_client import messages as pb


def openssl(*arguments: str, cwd: pathlib.Path) -> None:
    result = subprocess.run(["openssl", *arguments], cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, f"openssl {' '.join(arguments)}:\n{result.stderr}"


def make_ca(directory: pathlib.Path, name: str) -> None:
    openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        f"{name}.key",
        "-out",
        f"{name}.pem",
        "-days",
        "2",
        "-subj",
        f"/CN=MMS test {name}",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        cwd=directory,
    )
    (directory / f"{name}.key").chmod(0o600)


def make_leaf(directory: pathlib.Path, name: str, ca: str, usage: str, days: str = "2") -> None:
    (directory / f"{name}.ext").write_text(
        f"subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage={usage}\nbasicConstraints=CA:FALSE\n"
    )
    openssl(
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        f"{name}.key",
        "-out",
        f"{name}.csr",
        "-subj",
        f"/CN={name}",
        cwd=directory,
    )
    openssl(
        "x509",
        "-req",
        "-in",
        f"{name}.csr",
        "-CA",
        f"{ca}.pem",
        "-CAkey",
        f"{ca}.key",
        "-CAcreateserial",
        "-out",
        f"{name}.pem",
        "-days",
        days,
        "-extfile",
        f"{name}.ext",
        cwd=directory,
    )
    (directory / f"{name}.key").chmod(0o600)  # the server takes only a key no one else can read


@pytest.fixture(scope="module")
def pki() -> Iterator[pathlib.Path]:
    directory = pathlib.Path(tempfile.mkdtemp(prefix="mms-pytest-pki-"))
    make_ca(directory, "ca")
    make_ca(directory, "other-ca")
    make_leaf(directory, "server", "ca", "serverAuth")
    make_leaf(directory, "client", "ca", "clientAuth")
    make_leaf(directory, "stranger", "other-ca", "clientAuth")
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def tls_server(pki: pathlib.Path, mutual: bool = False) -> ServerProcess:
    extra = ["--tls-certificate", str(pki / "server.pem"), "--tls-key", str(pki / "server.key")]
    probe = TLSConfig(ca_file=str(pki / "ca.pem"))
    if mutual:
        extra += ["--tls-client-ca", str(pki / "ca.pem")]
        probe = TLSConfig(
            ca_file=str(pki / "ca.pem"), certificate_file=str(pki / "client.pem"), key_file=str(pki / "client.key")
        )
    return ServerProcess(extra=extra).start(tls=probe)


def test_tls_good_chain_and_the_token_is_still_required(pki: pathlib.Path) -> None:
    server = tls_server(pki)
    try:
        trusted = TLSConfig(ca_file=str(pki / "ca.pem"))
        with Client(server.endpoint, tls=trusted) as anonymous:
            assert anonymous.health_check().status == pb.SERVING_STATUS_SERVING
            connection = anonymous._async._connection
            assert connection is not None
            ssl_object = connection._writer.get_extra_info("ssl_object")
            assert ssl_object is not None and ssl_object.selected_alpn_protocol() == "mms/1"
            with pytest.raises(RpcError) as raised:
                anonymous.get_migration_status()
            assert raised.value.code is StatusCode.UNAUTHENTICATED
        with Client(server.endpoint, tls=trusted, token=server.operator_token) as operator:
            assert operator.who_am_i().token.role == pb.ROLE_OPERATOR

        # A certificate from a CA the client does not trust: a clear error, not a hang.
        with Client(server.endpoint, tls=TLSConfig(ca_file=str(pki / "other-ca.pem")), connect_timeout=5) as untrusted:
            with pytest.raises(RpcError) as raised:
                untrusted.health_check()
            assert raised.value.code is StatusCode.UNAVAILABLE
            assert "certificate verify failed" in raised.value.message

        # Plain text to the TLS port: a clear error well before the client's own timeout.
        began = time.monotonic()
        with Client(server.endpoint, connect_timeout=8) as plain:
            with pytest.raises(RpcError) as raised:
                plain.health_check()
        assert raised.value.code is StatusCode.UNAVAILABLE
        assert "TLS" in raised.value.message, raised.value  # the server says this port wants TLS
        assert time.monotonic() - began < 7, "a plain-text client hung on the TLS port"
    finally:
        server.stop()


def test_tls_mutual_refuses_a_missing_or_unknown_client_certificate(pki: pathlib.Path) -> None:
    server = tls_server(pki, mutual=True)
    try:
        ca = str(pki / "ca.pem")
        with Client(
            server.endpoint,
            tls=TLSConfig(ca_file=ca, certificate_file=str(pki / "client.pem"), key_file=str(pki / "client.key")),
            token=server.operator_token,
        ) as client:
            assert client.who_am_i().token.role == pb.ROLE_OPERATOR
        for tls in (
            TLSConfig(ca_file=ca),
            TLSConfig(ca_file=ca, certificate_file=str(pki / "stranger.pem"), key_file=str(pki / "stranger.key")),
        ):
            with Client(server.endpoint, tls=tls, connect_timeout=5, token=server.operator_token) as refused:
                with pytest.raises(RpcError) as raised:
                    refused.who_am_i()
                assert raised.value.code is StatusCode.UNAVAILABLE, raised.value
    finally:
        server.stop()


def test_tls_client_to_a_plain_port_fails_clearly(pki: pathlib.Path, tenant: Tenant) -> None:
    began = time.monotonic()
    with Client(tenant.server.endpoint, tls=TLSConfig(ca_file=str(pki / "ca.pem")), connect_timeout=8) as client:
        with pytest.raises(RpcError) as raised:
            client.health_check()
    assert raised.value.code is StatusCode.UNAVAILABLE
    assert "TLS handshake" in raised.value.message, raised.value
    assert time.monotonic() - began < 7, "a TLS client hung on a plain port"
