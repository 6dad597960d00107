#!/usr/bin/env python3
"""A real SMTP server for the tests (aiosmtpd) that writes every message it accepts to a folder.

Each accepted message is <n>.eml (the bytes as received, dot-stuffing undone) plus <n>.json
(envelope: mail_from, rcpt_tos, smtputf8). It prints "PORT <n>" on stdout once listening, then
runs until killed. Fault modes, for issue 10's outcome table:

  --tempfail-data N        answer 451 to the first N messages (after DATA's end)
  --reject ADDRESS         answer 550 5.1.1 to RCPT TO:<ADDRESS> (repeatable)
  --drop-in-data N         close the connection in the middle of the first N messages' data
                           (after some of the data has arrived, before any reply)
  --pipelining             advertise PIPELINING (aiosmtpd reads pipelined commands either way)
  --smtputf8               advertise SMTPUTF8
  --tls-cert F --tls-key F offer STARTTLS with this certificate
  --require-starttls       refuse MAIL before STARTTLS
  --auth-user U --auth-password-file F   require AUTH (PLAIN or LOGIN) with these credentials
  --delay-data SECONDS     wait this long before taking each message (it is not kept if the client goes)
  --discard                accept every message but write none (benchmarks: no disk in the way)
  --delay-reply SECONDS    keep each message, then wait this long before the 250: a client killed
                           meanwhile never learns it was delivered (the one-step window of docs/ENGINE.md)
"""
import argparse
import asyncio
import json
import os
import signal
import socket
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    def __init__(self, args):
        self.args = args
        self.count = 0
        self.tempfailed = 0
        self.dropped = 0
        self.rejected = {a.lower() for a in (args.reject or [])}
        os.makedirs(args.dir, exist_ok=True)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if self.args.pipelining:
            responses.insert(len(responses) - 1, "250-PIPELINING")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.rejected:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown in virtual mailbox table"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.args.delay_data:
            await asyncio.sleep(self.args.delay_data)
        if self.tempfailed < self.args.tempfail_data:
            self.tempfailed += 1
            return "451 4.7.1 Greylisted, please try again later"
        self.count += 1
        if self.args.discard:
            return "250 2.0.0 Ok: discarded"
        n = f"{time.time_ns()}-{self.count}"
        with open(os.path.join(self.args.dir, n + ".eml.tmp"), "wb") as f:
            f.write(envelope.original_content or envelope.content)
        with open(os.path.join(self.args.dir, n + ".json"), "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                       "smtputf8": bool(envelope.smtp_utf8)}, f)
        os.rename(os.path.join(self.args.dir, n + ".eml.tmp"), os.path.join(self.args.dir, n + ".eml"))
        if self.args.delay_reply:
            await asyncio.sleep(self.args.delay_reply)
        return "250 2.0.0 Ok: queued as " + n


class SinkSMTP(SMTP):
    """Drops the connection in the middle of the data when told to."""

    async def smtp_DATA(self, arg):
        sink = self.event_handler
        if sink.dropped < sink.args.drop_in_data and self.envelope.rcpt_tos:
            sink.dropped += 1
            await self.push("354 End data with <CR><LF>.<CR><LF>")
            await self._reader.read(512)  # some of the message has arrived; now vanish
            self.transport.abort()
            return
        return await super().smtp_DATA(arg)

    async def _handle_client(self):
        return await super()._handle_client()


class SinkController(Controller):
    def __init__(self, handler, args, **kwargs):
        self.args = args
        super().__init__(handler, **kwargs)

    def factory(self):
        return SinkSMTP(self.handler, **self.SMTP_kwargs)


def main():
    # A parent may have started us with signals blocked (Foundation's Process does): take them back,
    # so the test's terminate() ends us.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))  # nothing to flush: each message is renamed into place whole
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tempfail-data", type=int, default=0)
    parser.add_argument("--reject", action="append")
    parser.add_argument("--drop-in-data", type=int, default=0)
    parser.add_argument("--pipelining", action="store_true")
    parser.add_argument("--smtputf8", action="store_true")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--require-starttls", action="store_true")
    parser.add_argument("--auth-user")
    parser.add_argument("--auth-password-file")
    parser.add_argument("--delay-data", type=float, default=0)
    parser.add_argument("--delay-reply", type=float, default=0)
    parser.add_argument("--discard", action="store_true")
    args = parser.parse_args()

    kwargs = {"enable_SMTPUTF8": args.smtputf8, "decode_data": False}
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        kwargs["tls_context"] = context
        kwargs["require_starttls"] = args.require_starttls
    if args.auth_user:
        password = open(args.auth_password_file, "rb").read().decode().strip("\r\n")

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login.decode() == args.auth_user and auth_data.password.decode() == password
            return AuthResult(success=ok, handled=False)

        kwargs["authenticator"] = authenticator
        kwargs["auth_required"] = True
        kwargs["auth_require_tls"] = bool(args.tls_cert)

    port = args.port or free_port()
    controller = SinkController(Sink(args), args, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    print(f"PORT {port}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    sys.exit(main())
