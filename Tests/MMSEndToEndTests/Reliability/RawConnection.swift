import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A plain blocking TCP socket to the server, for peers a well-behaved client never is: idle,
/// slow, flooding, or sending hand-made frames (docs/PROTOCOL.md). Frames are built and read here
/// byte by byte, from the protocol document alone.
final class RawConnection: @unchecked Sendable {
    let fd: Int32
    /// Bytes received and not yet parsed.
    private var pending: [UInt8] = []
    private var sawPreface = false

    /// Connects to 127.0.0.1:`port`; nil when the connection is refused.
    init?(port: Int, sendTimeout: Double = 5) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { Glibc.close(fd); return nil }
        var timeout = timeval(tv_sec: Int(sendTimeout), tv_usec: Int((sendTimeout - Double(Int(sendTimeout))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        self.fd = fd
    }

    deinit { Glibc.close(fd) }

    func close() { shutdown(fd, Int32(SHUT_RDWR)) }

    /// Sends all of `bytes`; false when the peer closed or the send timed out (its window is full).
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    /// One frame read from the server.
    struct Frame {
        let type: UInt8
        let flags: UInt8
        let callID: UInt32
        let payload: [UInt8]
    }

    /// Reads frames until `until` says enough or `timeout` passes; nil frames list when closed early.
    func readFrames(timeout: Double, until done: ([Frame]) -> Bool) -> (frames: [Frame], closed: Bool) {
        var frames: [Frame] = []
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !done(frames) {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return (frames, false) }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(max(1, left * 1000))) > 0 else { continue }
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { frames += parse(); return (frames, true) }
            pending += buffer[0..<count]
            frames += parse()
        }
        return (frames, false)
    }

    private func parse() -> [Frame] {
        if !sawPreface {
            guard pending.count >= 8 else { return [] }
            pending.removeFirst(8)
            sawPreface = true
        }
        var frames: [Frame] = []
        while pending.count >= 10 {
            let length = Int(pending[0]) << 24 | Int(pending[1]) << 16 | Int(pending[2]) << 8 | Int(pending[3])
            guard pending.count >= 10 + length else { break }
            let callID = UInt32(pending[6]) << 24 | UInt32(pending[7]) << 16 | UInt32(pending[8]) << 8 | UInt32(pending[9])
            frames.append(Frame(type: pending[4], flags: pending[5], callID: callID, payload: Array(pending[10..<(10 + length)])))
            pending.removeFirst(10 + length)
        }
        return frames
    }
}

/// Hand-made frames (docs/PROTOCOL.md §1–§5).
enum RawFrames {
    static let preface: [UInt8] = Array("MMSRPC".utf8) + [1, 0]
    static let request: UInt8 = 0x02, response: UInt8 = 0x03, status: UInt8 = 0x04, ping: UInt8 = 0x06, pong: UInt8 = 0x07, goAway: UInt8 = 0x08

    static func frame(type: UInt8, flags: UInt8 = 0, callID: UInt32, payload: [UInt8]) -> [UInt8] {
        u32(UInt32(payload.count)) + [type, flags] + u32(callID) + payload
    }

    static func u32(_ value: UInt32) -> [UInt8] { [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
    static func u16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
    static func string16(_ text: String) -> [UInt8] { u16(text.utf8.count) + Array(text.utf8) }

    /// A REQUEST for `method` with `message` bytes, no deadline, and the token as `authorization`.
    static func call(_ callID: UInt32, _ method: String, token: String?, message: [UInt8]) -> [UInt8] {
        var head = string16(method) + [UInt8](repeating: 0, count: 8)
        if let token {
            head += u16(1) + string16("authorization") + string16("Bearer \(token)")
        } else {
            head += u16(0)
        }
        return frame(type: request, callID: callID, payload: head + message)
    }

    static func ping(_ data: UInt64) -> [UInt8] {
        frame(type: ping, callID: 0, payload: (0..<8).map { UInt8(data >> (56 - 8 * $0) & 0xFF) })
    }

    /// How a call ended: OK (RESPONSE with END_OK) or a STATUS code and message.
    struct Ending: CustomStringConvertible {
        let code: Int
        let message: String
        var description: String { "\(code) \(message)" }
    }

    /// The ending of each call among `frames`, by call id.
    static func endings(_ frames: [RawConnection.Frame]) -> [UInt32: Ending] {
        var endings: [UInt32: Ending] = [:]
        for frame in frames where frame.callID != 0 {
            if frame.type == response, frame.flags & 1 == 1 {
                endings[frame.callID] = Ending(code: 0, message: "")
            } else if frame.type == status, frame.payload.count >= 3 {
                let length = Int(frame.payload[1]) << 8 | Int(frame.payload[2])
                let text = String(decoding: frame.payload.dropFirst(3).prefix(length), as: UTF8.self)
                endings[frame.callID] = Ending(code: Int(frame.payload[0]), message: text)
            }
        }
        return endings
    }
}
