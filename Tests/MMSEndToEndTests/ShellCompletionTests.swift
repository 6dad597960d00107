import Testing

extension EndToEnd {
    /// Issue 13, "Small things users expect": shell completion for `mms` (README, "Shell completion").
    @Suite("Shell completion")
    struct ShellCompletion {
        @Test("Issue 13: mms --generate-completion-script prints a script for bash, zsh and fish naming the commands and their options")
        func scripts() async throws {
            let server = try SharedServer.get()
            for (shell, marker) in [("bash", "complete -"), ("zsh", "#compdef mms"), ("fish", "complete -c 'mms'")] {
                let result = try await server.mms(["--generate-completion-script", shell], token: nil)
                #expect(result.exitCode == 0, "\(result)")
                for word in [marker, "migration", "tenant", "identity", "tls-ca"] {
                    #expect(result.output.contains(word), "\(shell): \"\(word)\" missing")
                }
            }
        }
    }
}
