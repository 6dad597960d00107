import Logging
import MMSWire
import NIOCore
import NIOSSL
import NIOTLS

/// First on a TLS port: a peer whose first byte does not open a TLS handshake is answered in
/// plain text, in its own protocol where it can be read (an MMS preface and GOAWAY for an MMS
/// client, a 400 response for HTTP), and closed, instead of a TLS alert it cannot read.
final class PlaintextOnTLSPortHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let reason = "this port speaks the MMS RPC protocol over TLS (ALPN \(WireProtocol.tlsApplicationProtocol)): "
        + "connect with TLS (mms --tls, with --tls-ca FILE for a private CA)"

    private let logger: Logger
    private var answered = false

    init(logger: Logger) { self.logger = logger }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.answered else { return }
        let buffer = self.unwrapInboundIn(data)
        guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return }
        if first == 0x16 {
            context.fireChannelRead(data)
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            return
        }
        self.answered = true
        let peer = context.channel.remoteAddress?.description ?? "unknown"
        var answer = context.channel.allocator.buffer(capacity: 256)
        let head = buffer.getString(at: buffer.readerIndex, length: min(4, buffer.readableBytes)) ?? ""
        if ["GET ", "POST", "PUT ", "HEAD", "PRI ", "DELE", "OPTI", "PATC"].contains(head) {
            let body = Self.reason + "\n"
            answer.writeString(
                "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"
                    + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
        } else {
            let encoder = FrameEncoder()
            encoder.writePreface(into: &answer)
            encoder.writeGoAway(GoAwayPayload(code: .badPreface, reason: Self.reason), into: &answer)
        }
        self.logger.info("closing connection: the peer spoke plain text to the TLS port", metadata: ["peer": "\(peer)"])
        context.writeAndFlush(self.wrapOutboundOut(answer)).whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

/// Right after the TLS handler: logs the outcome of each handshake (never the key) and closes
/// a connection whose TLS failed, naming why.
final class ServerTLSEventHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let logger: Logger

    init(logger: Logger) { self.logger = logger }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted(let negotiated) = tlsEvent {
            self.logger.debug("TLS handshake done", metadata: [
                "peer": "\(context.channel.remoteAddress?.description ?? "unknown")",
                "alpn": "\(negotiated ?? "none")",
            ])
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError else {
            context.fireErrorCaught(error)
            return
        }
        let peer = context.channel.remoteAddress?.description ?? "unknown"
        if let sslError = error as? NIOSSLError, case .uncleanShutdown = sslError {
            self.logger.debug("TLS peer closed without close_notify", metadata: ["peer": "\(peer)"])
        } else if "\(error)".contains("EOF during handshake") {
            // A peer gone mid-handshake (a port probe; or plain text, answered and closed above).
            self.logger.debug("TLS peer closed during the handshake", metadata: ["peer": "\(peer)"])
        } else {
            self.logger.info("TLS with the peer failed: \(ServerTLSErrors.explain(error))", metadata: ["peer": "\(peer)"])
        }
        context.close(promise: nil)
    }
}

/// BoringSSL's reasons, in words an operator can act on.
enum ServerTLSErrors {
    static func explain(_ error: any Error) -> String {
        let text = "\(error)"
        let hints: [(String, String)] = [
            ("PEER_DID_NOT_RETURN_A_CERTIFICATE", "the client sent no certificate, and --tls-client-ca requires one"),
            ("CERTIFICATE_VERIFY_FAILED", "the client's certificate was refused: it is expired, not yet valid, or not issued by a CA of --tls-client-ca"),
            ("ALERT_UNKNOWN_CA", "the client does not trust this server's certificate (unknown CA)"),
            ("ALERT_BAD_CERTIFICATE", "the client refused this server's certificate"),
            ("ALERT_CERTIFICATE_EXPIRED", "the client says this server's certificate has expired"),
            ("NO_APPLICATION_PROTOCOL", "the client offered no ALPN protocol this server speaks (\(WireProtocol.tlsApplicationProtocol))"),
            ("NO_SHARED_CIPHER", "the client offered no cipher this server accepts"),
            ("UNSUPPORTED_PROTOCOL", "the client offered no TLS version this server accepts (1.2 or 1.3)"),
        ]
        for (marker, hint) in hints where text.contains(marker) {
            return "\(hint) (\(marker))"
        }
        return text
    }
}
