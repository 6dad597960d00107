#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// A reader that goes away (`mms ... | head`) must not kill mms with SIGPIPE mid-write.
signal(SIGPIPE, SIG_IGN)

// Called from an async function: in top-level code `await MMSCommand.main()` resolves to
// ParsableCommand's synchronous main(), which refuses to run an AsyncParsableCommand
// ("Asynchronous root command needs availability annotation").
func runMMS() async {
    await MMSCommand.main()
}

await runMMS()
