#!/usr/bin/env python3
"""Writes the committed seed corpus, Fuzz/Corpus/<target>/, from the tests' inputs and the worked
example of docs/PROTOCOL.md (section 10). Run it again after changing a target's input layout:
python3 Fuzz/make-seeds.py. Seeds are kept small: at most a few dozen per target, each under 16 KiB."""
import hashlib
import os
import re
import shutil
import subprocess

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
corpus = os.path.join(root, "Fuzz", "Corpus")


def read(path):
    return open(os.path.join(root, path), encoding="utf-8").read()


def write(target, data, limit=40):
    folder = os.path.join(corpus, target)
    os.makedirs(folder, exist_ok=True)
    if len(os.listdir(folder)) >= limit or len(data) > 16384:
        return
    name = hashlib.sha1(data).hexdigest()[:16]
    open(os.path.join(folder, name), "wb").write(data)


def swift_unescape(text):
    text = re.sub(r"\\u\{([0-9A-Fa-f]+)\}", lambda m: chr(int(m.group(1), 16)), text)
    return (text.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t").replace('\\"', '"')
            .replace("\\\\", "\\"))


def triple_quoted(source):
    """Swift multi-line string literals, indentation stripped (interpolations left as text)."""
    for m in re.finditer(r'#?"""\n(.*?)\n([ \t]*)"""#?', source, re.S):
        indent = m.group(2)
        lines = [line[len(indent):] if line.startswith(indent) else line.lstrip() for line in m.group(1).split("\n")]
        yield swift_unescape("\n".join(lines))


def line_arrays(source):
    """Arrays of one-line string literals (the iCalendar tests' crlf([...]) fixtures), joined by CRLF."""
    for m in re.finditer(r'\[\s*\n((?:\s*"(?:[^"\\]|\\.)*",?\s*(?://[^\n]*)?\n)+)\s*\]', source):
        lines = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))
        yield "".join(swift_unescape(line) + "\r\n" for line in lines)


def worked_example():
    """The client's and the server's bytes of docs/PROTOCOL.md section 10."""
    block = read("docs/PROTOCOL.md").split("## 10. A worked example", 1)[1].split("```")[1]
    client, server = block.split("server → client")
    def hexbytes(text):
        return bytes(int(h, 16) for line in text.splitlines() for h in re.findall(r"\b[0-9A-F]{2}\b", line.split("   ")[0]))
    return hexbytes(client), hexbytes(server)


shutil.rmtree(corpus, ignore_errors=True)

# frame: mode byte, then (stream mode) four chunk-size bytes and the stream.
client, server = worked_example()
write("frame", bytes([0, 1, 2, 3, 4]) + client)
write("frame", bytes([0, 7, 1, 15, 2]) + server)
write("frame", bytes([0, 0, 0, 0, 0]) + client + server[8:])
request_payload = client[18:]
write("frame", bytes([1]) + request_payload)
write("frame", bytes([1]) + request_payload[:-2] + b"\x00\x02\x00\x0dauthorization\x00\x0cBearer token\x00\x05x-trc\x00\x01z")
write("frame", bytes([2]) + b"\x03\x00\x16tenant ids do not match\x00\x00\x00\x02\x08\x01\x00\x01\x00\x04rsrc\x00\x02id")
write("frame", bytes([3]) + b"\x00\x00\x00\x00\x00\x0bshutting do")
write("frame", bytes([4]) + server[18:36])
write("frame", bytes([0, 3, 3, 3, 3]) + b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")

# messages: the request type's index (the order of MessagesFuzz.requests), then its encoding.
requests = re.findall(r'\("(\w+)", \{', read("Fuzz/Targets/MessagesFuzz.swift"))
examples = {
    "StartMeetingMigrationRequest": 'identity: "ashaw@contoso.com" source_meeting_type: 1 target_meeting_type: 2',
    "GetMigrationStatusRequest": 'identity: "ashaw@contoso.com" state: 1 summary_only: true',
    "CreateUserRequest": 'user { user_principal_name: "ashaw@contoso.com" sip_address: "sip:ashaw@contoso.com" homing: 1 }',
    "AddMeetingRequest": 'meeting { organizer: "ashaw@contoso.com" attendees: "b@contoso.com" attendees: "c@fabrikam.com" '
                         'start_micros: 1893456000000000 end_micros: 1893459600000000 subject: "Sync" body: "Hello" body_format: 1 }',
    "SetMailSettingsRequest": 'settings { smtp_host: "127.0.0.1" smtp_port: 2525 rate_limit: 2.5 allow_insecure: true }',
}
for index, name in enumerate(requests):
    write("messages", bytes([index]), limit=200)
    if name in examples:
        proto = next(f for f in os.listdir(os.path.join(root, "Protos/mms/v1"))
                     if re.search(r"message " + name + r" \{", read("Protos/mms/v1/" + f)))
        try:
            encoded = subprocess.run(["protoc-c", "--encode=mms.v1." + name, "-I", "Protos", "Protos/mms/v1/" + proto],
                                     input=examples[name].encode(), capture_output=True, check=True, cwd=root).stdout
            write("messages", bytes([index]) + encoded, limit=200)
        except (subprocess.CalledProcessError, FileNotFoundError) as error:
            print(f"messages: no seed for {name}: {getattr(error, 'stderr', error)!r}")

# smtp-reply: three chunk-size bytes, then what a server says (the decoder tests' inputs).
for m in re.finditer(r'\("((?:[^"\\]|\\.)*)", \[', read("Tests/MMSSMTPTests/SMTPReplyDecoderTests.swift")):
    write("smtp-reply", b"\x01\x05\x1f" + swift_unescape(m.group(1)).encode())
write("smtp-reply", b"\x02\x03\x04220 mx ESMTP\r\n250-mx\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n354 go ahead\r\n")

# invitation: a flags byte (bit 0: plain text; the rest picks the new join details), then a body.
for path in ["Tests/MMSCoreTests/InvitationFixtures.swift", "Tests/MMSCoreTests/InvitationFindTests.swift"]:
    for index, body in enumerate(triple_quoted(read(path))):
        plain = not ("<" in body and ">" in body)
        write("invitation", bytes([(index * 2) & 0xFE | (1 if plain else 0)]) + body.encode())

# icalendar: the resource itself (its last bytes become the new DESCRIPTION).
for path in sorted(os.listdir(os.path.join(root, "Tests/MMSICalendarTests"))) + ["../MMSCalDAVTests/Support/Fixtures.swift"]:
    source = read("Tests/MMSICalendarTests/" + path)
    for text in list(line_arrays(source)) + list(triple_quoted(source)):
        if "BEGIN:" in text:
            write("icalendar", text.encode())

# mime: length-prefixed fields (MIMEFuzz.swift says which), from the MIME tests' kinds of text.
for subject, name, text, attachment in [
    ("Weekly sync", "Amy Shaw", "Join the meeting.\r\nSee you.", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
    ("Réunion hebdo 🗓", "Zoë Ünal", "Ligne 1\nLigne 2 = égal\r\n.point\r\nFrom here", bytes(range(256))),
    ("", "", "", b""),
]:
    fields = [subject.encode(), name.encode(), text.encode(), attachment]
    write("mime", b"".join(len(f).to_bytes(2, "big") + f for f in fields))

# multistatus: a WebDAV multistatus body as a server sends it (the CalDAV tests' servers).
for text in triple_quoted(read("Tests/MMSCalDAVTests/CalDAVGarbageTests.swift")):
    for m in re.finditer(r"""b?(['"])(<\?xml.*?)\1""", text):
        write("multistatus", m.group(2).encode().decode("unicode_escape").encode("utf-8", "surrogateescape"))
write("multistatus", b"""<?xml version="1.0" encoding="utf-8"?>
<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/">
 <d:response><d:href>/dav/calendars/ashaw/</d:href>
  <d:propstat><d:prop><d:resourcetype><d:collection/><c:calendar/></d:resourcetype>
   <d:displayname>Calendar</d:displayname><cs:getctag>"42"</cs:getctag>
   <c:supported-calendar-component-set><c:comp name="VEVENT"/><c:comp name="VTODO"/></c:supported-calendar-component-set>
   <d:current-user-principal><d:href>/dav/principals/ashaw/</d:href></d:current-user-principal>
  </d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>
  <d:propstat><d:prop><d:owner/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>
 </d:response>
 <d:response><d:href>/dav/calendars/ashaw/m1.ics</d:href>
  <d:propstat><d:prop><d:getetag>"abc"</d:getetag><c:calendar-data><![CDATA[BEGIN:VCALENDAR
END:VCALENDAR
]]></c:calendar-data></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
 <d:response><d:href>/dav/calendars/ashaw/gone.ics</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>
</d:multistatus>
""")
for target in sorted(os.listdir(corpus)):
    print(target, len(os.listdir(os.path.join(corpus, target))), "seeds")
