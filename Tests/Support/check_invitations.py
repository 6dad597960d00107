#!/usr/bin/env python3
"""Checks the messages an smtp_sink.py folder received against what the Swift test expected.

Usage: check_invitations.py FOLDER EXPECTATIONS.json
EXPECTATIONS is a list of invitations:
  {"message_id", "subject", "organizer", "sender", "uid", "sequence", "attendees": [...],
   "recipients": [...] (who must have exactly one copy), "start", "end" (UTC, YYYYMMDDTHHMMSSZ),
   "plain_b64" (the text/plain part's bytes) or null, "html_b64" or null,
   "attachments": [{"name", "content_type", "content_b64"}]}
Parses with Python's standard `email` package and the `icalendar` package (not ours).
Prints one line per problem and "ok N messages" at the end; exits 1 when there is a problem.
"""
import base64
import email
import email.policy
import glob
import json
import os
import re
import sys

import icalendar


def main():
    folder, expectations_path = sys.argv[1], sys.argv[2]
    expectations = json.load(open(expectations_path))
    for e in expectations:  # an absent key is a null
        e.setdefault("plain_b64", None)
        e.setdefault("html_b64", None)
    problems = []
    received = {}  # message-id -> list of (envelope, message, raw)
    for path in sorted(glob.glob(os.path.join(folder, "*.eml"))):
        raw = open(path, "rb").read()
        envelope = json.load(open(path[:-4] + ".json"))
        message = email.message_from_bytes(raw, policy=email.policy.default)
        received.setdefault(str(message["Message-ID"]).strip(), []).append((envelope, message, raw, path))
        for number, line in enumerate(raw.split(b"\r\n")):
            if len(line) > 998:
                problems.append(f"{path}: line {number + 1} has {len(line)} octets (over 998)")
            if b"\n" in line or b"\r" in line:
                problems.append(f"{path}: line {number + 1} has a bare CR or LF")
        if not raw.endswith(b"\r\n"):
            problems.append(f"{path}: does not end with CRLF")

    expected_ids = {f"<{e['message_id']}>" for e in expectations}
    for message_id in received:
        if message_id not in expected_ids:
            problems.append(f"unexpected message {message_id}")

    for e in expectations:
        mid = f"<{e['message_id']}>"
        copies = received.get(mid, [])
        counts = {}
        for envelope, _, _, _ in copies:
            for rcpt in envelope["rcpt_tos"]:
                counts[rcpt.lower()] = counts.get(rcpt.lower(), 0) + 1
        for rcpt in e["recipients"]:
            got = counts.pop(rcpt.lower(), 0)
            if got != 1:
                problems.append(f"{mid}: {rcpt} received {got} copies, not exactly 1")
        for rcpt, got in counts.items():
            problems.append(f"{mid}: {rcpt} was not expected to receive it but received {got}")
        for envelope, message, raw, path in copies:
            problems += [f"{path}: {p}" for p in check_message(e, envelope, message)]

    for p in problems:
        print(p)
    total = sum(len(v) for v in received.values())
    print(f"{'ok' if not problems else 'FAILED'} {total} messages, {len(problems)} problems")
    return 1 if problems else 0


def check_message(e, envelope, message):
    problems = []
    def expect(what, got, want):
        if got != want:
            problems.append(f"{what}: got {got!r}, want {want!r}")

    expect("envelope MAIL FROM", envelope["mail_from"], e["sender"])
    expect("From", message["From"].addresses[0].addr_spec, e["organizer"])
    expect("Sender", message["Sender"].addresses[0].addr_spec, e["sender"])
    expect("Subject", str(message["Subject"]), e["subject"])
    expect("MIME-Version", str(message["MIME-Version"]), "1.0")
    if message["Date"] is None or message["Date"].datetime is None:
        problems.append("Date missing or unreadable")
    expect("top content type", message.get_content_type(), "multipart/mixed")
    parts = list(message.iter_parts())
    if len(parts) != 2 + len(e["attachments"]):
        problems.append(f"multipart/mixed has {len(parts)} parts, want {2 + len(e['attachments'])}")
        return problems
    alternative, calendar_part = parts[0], parts[1]
    expect("first part", alternative.get_content_type(), "multipart/alternative")
    texts = list(alternative.iter_parts())
    want_types = ["text/plain"] + (["text/html"] if e["html_b64"] is not None else [])
    expect("alternatives", [t.get_content_type() for t in texts], want_types)
    if e["plain_b64"] is not None and texts:
        expect("text/plain bytes", texts[0].get_payload(decode=True), base64.b64decode(e["plain_b64"]))
    if e["html_b64"] is not None and len(texts) > 1:
        expect("text/html bytes", texts[1].get_payload(decode=True), base64.b64decode(e["html_b64"]))
    for t in texts:
        expect(f"{t.get_content_type()} charset", t.get_content_charset(), "utf-8")

    expect("calendar part", calendar_part.get_content_type(), "text/calendar")
    expect("calendar method parameter", calendar_part.get_param("method"), "REQUEST")
    expect("calendar charset", calendar_part.get_content_charset(), "utf-8")
    calendar = icalendar.Calendar.from_ical(calendar_part.get_payload(decode=True))
    expect("METHOD", str(calendar.get("METHOD")), "REQUEST")
    events = [c for c in calendar.walk("VEVENT")]
    expect("VEVENT count", len(events), 1)
    if events:
        event = events[0]
        expect("UID", str(event.get("UID")), e["uid"])
        expect("SEQUENCE", int(event.get("SEQUENCE")), e["sequence"])
        expect("SUMMARY", str(event.get("SUMMARY")), e["subject"])
        organizer = event.get("ORGANIZER")
        expect("ORGANIZER", str(organizer).lower(), "mailto:" + e["organizer"].lower())
        expect("ORGANIZER;SENT-BY", str(organizer.params.get("SENT-BY", "")).lower(), "mailto:" + e["sender"].lower())
        attendees = event.get("ATTENDEE")
        attendees = attendees if isinstance(attendees, list) else ([attendees] if attendees is not None else [])
        expect("ATTENDEEs", sorted(str(a).lower() for a in attendees), sorted("mailto:" + a.lower() for a in e["attendees"]))
        expect("DTSTART", event.decoded("DTSTART").strftime("%Y%m%dT%H%M%SZ"), e["start"])
        expect("DTEND", event.decoded("DTEND").strftime("%Y%m%dT%H%M%SZ"), e["end"])
        if event.get("DTSTAMP") is None:
            problems.append("DTSTAMP missing")
        # iCalendar TEXT has one line break (\n): CRLF and CR come back as LF there. The body parts
        # above carry the exact bytes; here the text is compared with its line breaks as TEXT has them.
        def lines(b64):
            return base64.b64decode(b64).decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        if e["plain_b64"] is not None:
            expect("DESCRIPTION", str(event.get("DESCRIPTION")), lines(e["plain_b64"]))
        if e["html_b64"] is not None:
            # icalendar leaves an X- property's value as written: undo TEXT escaping (RFC 5545 3.3.11) here.
            raw = str(event.get("X-ALT-DESC"))
            text = re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), raw)
            expect("X-ALT-DESC", text, lines(e["html_b64"]))

    for attachment, part in zip(e["attachments"], parts[2:]):
        expect("attachment type", part.get_content_type(), attachment["content_type"])
        expect("attachment disposition", part.get_content_disposition(), "attachment")
        expect("attachment name", part.get_filename(), attachment["name"])
        expect(f"attachment {attachment['name']} bytes", part.get_payload(decode=True), base64.b64decode(attachment["content_b64"]))
    return problems


if __name__ == "__main__":
    sys.exit(main())
