import Testing

/// End-to-end tests: the real `mms-server` binary on a free loopback port with a temporary data
/// directory, driven through the real `mms` binary, results read from `--output json`.
///
/// Build the binaries first: `swift build --build-tests` builds both executables (they are
/// products of the package) beside the test bundle, where these tests look for them.
///
/// The nested suites share one server started with `--hold 0` (each test takes its own tenant,
/// so they do not see each other's data) and run one after the other; the suites that need a
/// server with a non-zero hold start their own.
@Suite("MMS end to end", .serialized, .sharedServer)
struct EndToEnd {}
