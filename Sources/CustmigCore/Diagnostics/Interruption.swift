#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Ctrl-C (SIGINT) and SIGTERM as a request, not a kill: every long stage checks it at its safe points
/// (after a map chunk, a cutover or rollback batch is committed; between a dry run's or a duplicates
/// run's phases; after each map run a purge finishes; before a snapshot is restored; between the
/// batches a profile, a reconciliation or the sample generator reads or writes) and stops there with
/// what was kept and the command that resumes. A second signal stops the process at once, as the
/// default would.
public enum Interruption {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0

    /// Installs the handlers; only commands that check for the request call it (the others keep the
    /// default, which stops them at once with nothing to keep).
    public static func install() {
        // A parent may hand the signals down blocked (test runners, some job shells): unblocked here,
        // before the stage starts its threads (which inherit the mask), or a stop would never arrive.
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        sigaddset(&unblocked, SIGINT)
        sigaddset(&unblocked, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
        for number in [SIGINT, SIGTERM] {
            signal(number) { received in
                Interruption.flag = 1
                let text = "\ncustmig: stopping at the next safe point (press Ctrl-C again to stop at once)\n"
                _ = text.withCString { write(2, $0, strlen($0)) }
                signal(received, SIG_DFL)
            }
        }
    }

    public static var requested: Bool { flag != 0 }

    /// Throws ``CustmigError`` `INTERRUPTED` (exit 130) when a stop was requested: `kept` says what is
    /// committed, `resume` what to run to go on.
    public static func check(kept: @autoclosure () -> String, resume: @autoclosure () -> String) throws {
        guard flag != 0 else { return }
        throw CustmigError(
            .interrupted, code: "INTERRUPTED", "stopped at your request at a safe point: \(kept()).",
            fix: resume())
    }
}
