import Foundation

/// Where the `mms` and `mms-server` executables are: beside the test binary.
///
/// `swift build --build-tests` (and `swift test` without `--skip-build`) builds every product of
/// the package, both executables included, into the same folder as the test bundle; these tests
/// run those real binaries. Set `MMS_BIN_DIR` to use binaries from somewhere else.
enum Binaries {
    struct NotFound: Error, CustomStringConvertible {
        let searched: [String]
        var description: String {
            "mms and mms-server were not found beside the test binary (searched \(searched.joined(separator: ", "))); "
                + "build them first: swift build --build-tests (or set MMS_BIN_DIR)"
        }
    }

    /// The folder holding both executables.
    static func directory() throws -> URL {
        let manager = FileManager.default
        func holdsBoth(_ folder: URL) -> Bool {
            ["mms", "mms-server"].allSatisfy { manager.isExecutableFile(atPath: folder.appendingPathComponent($0).path) }
        }
        if let override = ProcessInfo.processInfo.environment["MMS_BIN_DIR"], !override.isEmpty {
            let folder = URL(fileURLWithPath: override)
            guard holdsBoth(folder) else { throw NotFound(searched: [override]) }
            return folder
        }
        var starts: [URL] = []
        if let runner = try? manager.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            starts.append(URL(fileURLWithPath: runner))
        }
        if let executable = Bundle.main.executableURL { starts.append(executable) }
        let argument = CommandLine.arguments.first ?? ""
        starts.append(URL(fileURLWithPath: argument, relativeTo: URL(fileURLWithPath: manager.currentDirectoryPath)))
        var searched: [String] = []
        for start in starts {
            // Linux: <build>/debug/Package.xctest; macOS: <build>/debug/Package.xctest/Contents/MacOS/Package.
            var folder = start.standardizedFileURL.deletingLastPathComponent()
            for _ in 0..<5 {
                searched.append(folder.path)
                if holdsBoth(folder) { return folder }
                folder = folder.deletingLastPathComponent()
            }
        }
        throw NotFound(searched: searched)
    }
}
