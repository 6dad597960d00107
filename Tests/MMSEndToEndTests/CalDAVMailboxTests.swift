import Foundation
import MMSMailTesting
import Testing

extension EndToEnd {
    /// Issue 17 end to end: `mms-server` and `mms` against a real Radicale.
    @Suite("CalDAV mailbox on Radicale")
    struct CalDAVMailboxOnRadicale {
        /// A plain-text Skype block as an on-premises Skype server writes it, for `organizer`.
        static func skypeBlock(local: String, domain: String, key: String) -> String {
            let frame = String(repeating: ".", count: 130)
            let url = "https://meet.\(domain)/\(local)/\(key)"
            return "\(frame)\nJoin Skype Meeting <\(url)>\nTrouble joining? Try Skype Web App <\(url)?sl=1>\nJoin by phone\n\(frame)"
        }

        /// iCalendar TEXT escaping, as a CalDAV client writes DESCRIPTION.
        static func escaped(_ text: String) -> String {
            text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ";", with: "\\;")
                .replacingOccurrences(of: ",", with: "\\,").replacingOccurrences(of: "\n", with: "\\n")
        }

        static func stamp(_ date: Date) -> String {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
            return formatter.string(from: date)
        }

        /// An event organised by `organizer`, with an alarm and an X- property that must survive byte for byte.
        static func event(uid: String, organizer: String, description: String) -> String {
            let start = Date().addingTimeInterval(3 * 86_400)
            let lines = [
                "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Contoso//Handwritten//EN", "BEGIN:VEVENT", "UID:\(uid)",
                "DTSTAMP:20260101T000000Z", "DTSTART:\(stamp(start))", "DTEND:\(stamp(start.addingTimeInterval(1800)))",
                "SUMMARY:Quarterly review", "ORGANIZER;CN=Organiser:mailto:\(organizer)",
                "ATTENDEE;CN=Bob;RSVP=TRUE:mailto:bob@fabrikam.example", "SEQUENCE:3",
                "X-CONTOSO-TAG;X-PARAM=\"a:b\":keep me",
                "DESCRIPTION:\(escaped(description))",
                "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:Reminder", "TRIGGER:-PT15M", "END:VALARM",
                "END:VEVENT", "END:VCALENDAR",
            ]
            return lines.joined(separator: "\r\n") + "\r\n"
        }

        /// The unfolded content lines of a resource.
        static func unfolded(_ data: Data) -> [String] {
            String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r\n ", with: "").replacingOccurrences(of: "\r\n\t", with: "")
                .components(separatedBy: "\r\n").filter { !$0.isEmpty }
        }

        @Test("Issue 17, R1-R5: a meeting on Radicale is tested, imported, migrated by T1; only the lines that had to change changed, SEQUENCE +1, once; its iMIP REQUEST is the stored resource")
        func migrateOnRadicale() async throws {
            let radicale = try await RadicaleProcess.start()
            defer { Task { await radicale.stop() } }
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("cal", homing: "on-premises", audio: false)
            let local = String(user.split(separator: "@")[0])
            let calendar = "/\(user)/calendar/"
            try await radicale.makeHome("/\(user)/")
            try await radicale.makeCalendar(calendar)
            let description = "Agenda: budget, café ☕, 会議\n\n" + Self.skypeBlock(local: local, domain: "contoso.example", key: "K7QZ2B4X")
            let resource = "\(calendar)quarterly.ics"
            let put = try await radicale.request(
                "PUT", resource, body: Data(Self.event(uid: "quarterly-1", organizer: user, description: description).utf8),
                headers: ["Content-Type": "text/calendar; charset=utf-8"])
            #expect(put.status == 201, "PUT answered \(put.status)")
            let before = try await radicale.request("GET", resource)

            let passwordFile = FileManager.default.temporaryDirectory.appendingPathComponent("caldav-pw-\(UUID().uuidString)")
            try Data("\(radicale.password)\n".utf8).write(to: passwordFile)
            defer { try? FileManager.default.removeItem(at: passwordFile) }
            let set = try await tenant.json([
                "tenant", "mailbox", "set", "--type", "caldav", "--url", radicale.url, "--username", radicale.username,
                "--password-file", passwordFile.path, "--path-template", "/{user}/",
            ])
            #expect(set["password_set"].bool == true && set["type"].string == "caldav", "\(set)")
            #expect(!set.description.contains(radicale.password))

            let test = try await tenant.json(["tenant", "mailbox", "test", "--identity", user])
            #expect(test["future_meetings"].int == 1, "\(test)")
            let imported = try await tenant.json(["meeting", "import", "--identity", user])
            #expect(imported["meetings"].array.first?["outcome"].string == "registered", "\(imported)")

            // The invitation goes out by e-mail (issue 10): to a real SMTP server of the test.
            let sink = try SMTPSink(["--pipelining"])
            defer { sink.stop() }
            _ = try await tenant.json(["tenant", "mail", "set", "--smtp", "127.0.0.1:\(sink.port)", "--tls", "none",
                                       "--sender", "mms@\(tenant.id).example.com"])

            let moved = try await tenant.json(["user", "move", "--identity", user, "--to", "cloud"])
            let correlationId = try #require(moved["status"]["correlation_id"].string)
            let finished = try await tenant.waitForMigration(correlationId, identity: user, state: "succeeded")
            #expect(finished["succeeded_meeting"].int == 1 && finished["invites_update"].int == 1, "\(finished)")

            // R5: the iMIP REQUEST is the rewritten resource as Radicale stores it, METHOD and SENT-BY set.
            let deadline = ContinuousClock.now + .seconds(30)
            while try sink.messages().isEmpty && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
            let message = try #require(try sink.messages().first, "no invitation reached the SMTP server")
            #expect(message.recipients == ["bob@fabrikam.example"])
            let raw = FileManager.default.temporaryDirectory.appendingPathComponent("imip-\(UUID().uuidString).eml")
            try message.raw.write(to: raw)
            defer { try? FileManager.default.removeItem(at: raw) }
            let (status, calendarText) = try SMTPSink.run(["python3", "-c", """
                import email, sys
                m = email.message_from_binary_file(open(sys.argv[1], 'rb'))
                parts = [p for p in m.walk() if p.get_content_type() == 'text/calendar']
                sys.stdout.write(parts[0].get_payload(decode=True).decode('utf-8'))
                """, raw.path])
            #expect(status == 0, "\(calendarText)")
            let sent = Self.unfolded(Data(calendarText.utf8))
            #expect(sent.contains("METHOD:REQUEST") && sent.contains("UID:quarterly-1") && sent.contains("SEQUENCE:4"), "\(sent)")
            #expect(sent.contains("X-CONTOSO-TAG;X-PARAM=\"a:b\":keep me") && sent.contains("DESCRIPTION:Reminder"), "the server's resource, not one we wrote: \(sent)")
            #expect(sent.contains { $0.hasPrefix("ORGANIZER") && $0.contains("SENT-BY=\"mailto:mms@\(tenant.id).example.com\"") }, "\(sent)")
            #expect(sent.contains { $0.hasPrefix("DESCRIPTION:Agenda") && $0.contains("teams.microsoft.com") })

            let after = try await radicale.request("GET", resource)
            // LAST-MODIFIED may be added; every other line is where it was.
            let old = Self.unfolded(before.body).filter { !$0.hasPrefix("LAST-MODIFIED") }
            let new = Self.unfolded(after.body).filter { !$0.hasPrefix("LAST-MODIFIED") }
            let changed = Set(zip(old, new).filter { $0 != $1 }.map { $0.0.split(separator: ":")[0].split(separator: ";")[0] })
            #expect(old.count == new.count, "the same number of lines:\n\(new.joined(separator: "\n"))")
            #expect(changed.isSubset(of: ["DESCRIPTION", "SEQUENCE", "DTSTAMP"]) && changed.contains("DESCRIPTION"), "changed: \(changed)")
            #expect(new.contains("SEQUENCE:4"), "SEQUENCE rose by one")
            #expect(new.contains { $0.hasPrefix("DESCRIPTION:Agenda: budget\\, café ☕\\, 会議\\n\\n") && $0.contains("teams.microsoft.com") })
            #expect(new.contains("X-CONTOSO-TAG;X-PARAM=\"a:b\":keep me") && new.contains("DESCRIPTION:Reminder"))
        }

        @Test("Issue 17, R4: kill -9 of mms-server in the middle of a migration against Radicale; after a restart every meeting is migrated exactly once")
        func killDuringMigration() async throws {
            let radicale = try await RadicaleProcess.start()
            defer { Task { await radicale.stop() } }
            let server = try await ServerProcess.start(ServerProcess.Settings(hold: "0", retrySchedule: "1s,1s", workers: 1, extra: ["--lease", "2s"]))
            defer { Task { await server.tearDown() } }
            let tenant = try await TenantContext.make(on: server)
            let user = try await tenant.createUser("crash", homing: "on-premises", audio: false)
            let local = String(user.split(separator: "@")[0])
            let calendar = "/\(user)/calendar/"
            try await radicale.makeHome("/\(user)/")
            try await radicale.makeCalendar(calendar)
            let count = 150
            for index in 0..<count {
                let description = "Meeting \(index)\n\n" + Self.skypeBlock(local: local, domain: "contoso.example", key: "KEY\(index)")
                let put = try await radicale.request(
                    "PUT", "\(calendar)m\(index).ics", body: Data(Self.event(uid: "crash-\(index)", organizer: user, description: description).utf8),
                    headers: ["Content-Type": "text/calendar; charset=utf-8"])
                #expect(put.status == 201)
            }
            let passwordFile = FileManager.default.temporaryDirectory.appendingPathComponent("caldav-pw-\(UUID().uuidString)")
            try Data("\(radicale.password)\n".utf8).write(to: passwordFile)
            defer { try? FileManager.default.removeItem(at: passwordFile) }
            _ = try await tenant.json([
                "tenant", "mailbox", "set", "--type", "caldav", "--url", radicale.url, "--username", radicale.username,
                "--password-file", passwordFile.path, "--path-template", "/{user}/",
            ])
            let imported = try await tenant.json(["meeting", "import", "--identity", user])
            #expect(imported["meetings"].array.filter { $0["outcome"].string == "registered" }.count == count)

            let moved = try await tenant.json(["user", "move", "--identity", user, "--to", "cloud"])
            let correlationId = try #require(moved["status"]["correlation_id"].string)
            // Kill the server once the migration is under way, before it ends.
            var doneAtKill = 0
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                let record = try await tenant.json(["migration", "status", "--identity", user])["records"].array.first
                doneAtKill = record?["succeeded_meeting"].int ?? 0
                if doneAtKill >= 3 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            await server.killNow()
            #expect(doneAtKill >= 3 && doneAtKill < count, "killed in the middle: \(doneAtKill) of \(count) done when read before the kill")

            try await server.restart()
            let finished = try await tenant.waitForMigration(correlationId, identity: user, state: "succeeded", timeout: .seconds(120))
            #expect(finished["total_meeting"].int == count && finished["succeeded_meeting"].int == count, "\(finished)")
            #expect(finished["invites_update"].int == count, "one invitation per meeting: \(finished)")
            var sequences: [String: Int] = [:]
            for index in 0..<count {
                let resource = try await radicale.request("GET", "\(calendar)m\(index).ics")
                let lines = Self.unfolded(resource.body)
                let sequence = lines.first { $0.hasPrefix("SEQUENCE:") }.map { String($0.dropFirst("SEQUENCE:".count)) } ?? "none"
                sequences[sequence, default: 0] += 1
                #expect(lines.contains { $0.hasPrefix("DESCRIPTION:") && $0.contains("teams.microsoft.com") }, "m\(index) carries its Teams block")
            }
            #expect(sequences == ["4": count], "every meeting's SEQUENCE rose exactly once (from 3): \(sequences)")
            for index in stride(from: 0, to: count, by: 15) {
                let invitations = try await tenant.json(["meeting", "invitations", "--meeting-id", "crash-\(index)"])["invitations"].array
                #expect(invitations.count == 1, "crash-\(index): \(invitations.count) invitations")
            }
        }

        @Test("Issue 17: mailbox test with a wrong password, a wrong URL, or a server that is down, is one line saying what to fix")
        func mailboxTestErrors() async throws {
            let radicale = try await RadicaleProcess.start()
            defer { Task { await radicale.stop() } }
            let tenant = try await TenantContext.make(on: try SharedServer.get())
            let user = try await tenant.createUser("wrong", audio: false)
            let wrongPassword = FileManager.default.temporaryDirectory.appendingPathComponent("caldav-pw-\(UUID().uuidString)")
            try Data("not-the-password\n".utf8).write(to: wrongPassword)
            let rightPassword = FileManager.default.temporaryDirectory.appendingPathComponent("caldav-pw-\(UUID().uuidString)")
            try Data("\(radicale.password)\n".utf8).write(to: rightPassword)
            defer {
                try? FileManager.default.removeItem(at: wrongPassword)
                try? FileManager.default.removeItem(at: rightPassword)
            }
            try await radicale.makeHome("/\(user)/")
            try await radicale.makeCalendar("/\(user)/calendar/")
            for (url, password, hint) in [
                (radicale.url, wrongPassword, radicale.username),  // names the account whose credentials to fix
                (radicale.url + "no/such/place/", rightPassword, "/no/such/place/"),  // names the path that leads nowhere
                ("http://127.0.0.1:\(try Ports.free())/", rightPassword, "127.0.0.1"),  // names the server that is down
            ] {
                _ = try await tenant.json([
                    "tenant", "mailbox", "set", "--type", "caldav", "--url", url, "--username", radicale.username,
                    "--password-file", password.path, "--path-template", "/{user}/",
                ])
                let result = try await tenant.mms(["tenant", "mailbox", "test", "--identity", user])
                #expect(result.exitCode == 1 && result.standardError.hasPrefix("mms: FAILED_PRECONDITION: "), "\(result)")
                #expect(result.standardError.trimmingCharacters(in: .newlines).split(separator: "\n").count == 1, "\(result)")
                #expect(result.standardError.contains(hint), "\(url): \(result)")
                #expect(!result.standardError.contains("not-the-password") && !result.standardError.contains(radicale.password))
            }
        }
    }
}
