"""TLS settings of a client (docs/PROTOCOL.md §11, "TLS"): Python's ssl module, ALPN `mms/1`."""

from __future__ import annotations

import ssl
from dataclasses import dataclass

#: The ALPN protocol id of the MMS RPC protocol over TLS.
ALPN_PROTOCOL = "mms/1"


@dataclass(frozen=True)
class TLSConfig:
    """How to reach a server that listens with `mms-server --tls-certificate/--tls-key`.

    - ``ca_file``: PEM certificate authorities to trust instead of the system's.
    - ``certificate_file`` and ``key_file``: this client's certificate chain and key (PEM), for a
      server started with ``--tls-client-ca`` (mutual TLS). Give both or neither.
    - ``server_hostname``: the name the server's certificate must carry; by default the
      endpoint's host.
    """

    ca_file: str | None = None
    certificate_file: str | None = None
    key_file: str | None = None
    server_hostname: str | None = None

    def context(self) -> ssl.SSLContext:
        """A client context: certificate and host name checked, TLS 1.2 or later, ALPN mms/1."""
        if (self.certificate_file is None) != (self.key_file is None):
            raise ValueError("TLSConfig: give certificate_file and key_file together, or neither")
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=self.ca_file)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        if self.certificate_file is not None:
            context.load_cert_chain(self.certificate_file, self.key_file)
        context.set_alpn_protocols([ALPN_PROTOCOL])
        return context
