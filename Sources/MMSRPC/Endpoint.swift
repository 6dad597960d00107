/// `HOST:PORT` endpoints, as `--endpoint` and `--listen` take them.
public enum Endpoint {
    /// Splits `HOST:PORT` (IPv6 hosts in brackets: `[::1]:7450`).
    /// - Throws: `RPCError(.invalidArgument)` naming what is wrong.
    public static func parse(_ endpoint: String) throws(RPCError) -> (host: String, port: Int) {
        guard let colon = endpoint.lastIndex(of: ":") else {
            throw RPCError(.invalidArgument, "endpoint \"\(endpoint)\" is not HOST:PORT (e.g. 127.0.0.1:7450)")
        }
        var host = String(endpoint[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(endpoint[endpoint.index(after: colon)...]), (0...65535).contains(port) else {
            throw RPCError(.invalidArgument, "endpoint \"\(endpoint)\" is not HOST:PORT with a port from 0 to 65535")
        }
        return (host, port)
    }
}
