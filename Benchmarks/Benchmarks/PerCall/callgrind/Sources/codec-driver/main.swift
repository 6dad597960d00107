import Foundation

// codec-driver list | codec-driver INDEX:COUNT (or MMS_PERCALL_DRIVER=...): runs one codec
// operation COUNT times and exits. Instructions per operation come from two counts by difference.
let spec = CommandLine.arguments.dropFirst().first ?? ProcessInfo.processInfo.environment["MMS_PERCALL_DRIVER"] ?? "list"
CodecOps.drive(spec)
