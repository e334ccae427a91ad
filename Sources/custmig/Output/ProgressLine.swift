import ArgumentParser
import CustmigCore
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A long command's progress on stderr: what it is doing, how far against the total when known, a rate
/// and an ETA. On a terminal the line is redrawn in place (at most ten times a second); otherwise (a log,
/// a CI job) a plain line is written every few seconds (`CUSTMIG_PROGRESS_SECONDS`, default 5). Silent
/// with `--quiet`.
///
/// The stages report from their child tasks: what changes is behind a Mutex.
final class ProgressLine: Sendable {
    static let shared = ProgressLine()

    /// Set before the stage starts (`--quiet`).
    var quiet: Bool {
        get { silent.load(ordering: .relaxed) }
        set { silent.store(newValue, ordering: .relaxed) }
    }
    private let silent = Atomic(false)
    private let onTerminal = Terminal.stderrIsTerminal
    private let interval: Double = {
        let value = ProcessInfo.processInfo.environment["CUSTMIG_PROGRESS_SECONDS"].flatMap(Double.init)
        return max(0.05, value ?? 5)
    }()

    private struct Line {
        var activity = ""
        var started = Date()
        var startedAt: Int64 = 0
        var written = Date.distantPast
        var drawn = false
    }

    private let line = Mutex(Line())

    /// The handler the core's stages call.
    var handler: ProgressHandler { { [self] progress in update(progress) } }

    func update(_ progress: StageProgress) {
        guard !quiet else { return }
        line.withLock { line in
            let now = Date()
            if progress.activity != line.activity {
                line.activity = progress.activity
                line.started = now
                line.startedAt = progress.done
                line.written = .distantPast
            }
            guard now.timeIntervalSince(line.written) >= (onTerminal ? 0.1 : interval) else { return }
            line.written = now
            let text = Self.text(progress, seconds: now.timeIntervalSince(line.started), since: line.startedAt)
            if onTerminal {
                FileHandleWriter.standardError.write("\r\u{1B}[K" + text)
                line.drawn = true
            } else {
                FileHandleWriter.standardError.write(text + "\n")
            }
        }
    }

    /// Clears the line on a terminal before the command's own output.
    func finish() {
        line.withLock { line in
            if line.drawn { FileHandleWriter.standardError.write("\r\u{1B}[K") }
            line.drawn = false
            line.activity = ""
        }
    }

    /// `map customers.csv: 412 MB of 1.8 GB (22%), 81 MB/s, ETA 17 s`.
    static func text(_ progress: StageProgress, seconds: Double, since: Int64) -> String {
        var text = progress.activity + ": "
        if let total = progress.total, total > 0 {
            text +=
                (progress.unit == .bytes ? ByteCount.text(progress.done) : "\(progress.done)") + " of "
                + amount(total, progress.unit) + " (\(min(100, progress.done * 100 / total))%)"
        } else {
            text += amount(progress.done, progress.unit)
        }
        let rate = seconds >= 0.5 ? Double(progress.done - since) / seconds : 0
        if rate > 0 {
            text +=
                ", " + (progress.unit == .bytes ? ByteCount.text(Int64(rate)) : String(Int(rate.rounded())))
                + (progress.unit == .bytes ? "/s" : " \(progress.unit.rawValue)/s")
            if let total = progress.total, total > progress.done {
                let left = Int((Double(total - progress.done) / rate).rounded())
                text += ", ETA " + (left >= 60 ? "\(left / 60) min \(left % 60) s" : "\(left) s")
            }
        }
        if let detail = progress.detail { text += ", " + detail }
        return text
    }

    private static func amount(_ value: Int64, _ unit: StageProgress.Unit) -> String {
        unit == .bytes ? ByteCount.text(value) : "\(value) \(unit.rawValue)"
    }
}

/// `--quiet`, shared by every command that can run long; the command starts its progress with it.
struct ProgressOptions: ParsableArguments {
    @Flag(help: "Do not show progress on stderr.")
    var quiet = false

    /// Sets up the progress line and turns Ctrl-C into a stop at the stage's next safe point (every
    /// command that shows progress has such points).
    @discardableResult
    func start() -> ProgressLine {
        ProgressLine.shared.quiet = quiet
        Interruption.install()
        return ProgressLine.shared
    }
}
