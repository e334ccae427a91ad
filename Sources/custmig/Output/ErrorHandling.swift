import ArgumentParser
import CustmigCore

/// Runs a command body, turning a ``CustmigError`` into its message and documented exit code.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
        FileHandleWriter.standardOutput.flush()
    } catch {
        try report(error)
    }
}

/// ``runReportingErrors(_:)`` for a command whose stage runs on tasks.
func runReportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
        FileHandleWriter.standardOutput.flush()
    } catch {
        try report(error)
    }
}

/// Prints an error the way custmig reports it and exits with its status; other errors go on up.
private func report(_ error: any Error) throws -> Never {
    do {
        throw error
    } catch let problems as MappingProblems {
        FileHandleWriter.standardOutput.flush()
        ProgressLine.shared.finish()
        for problem in problems.problems { Terminal.error(problem.description) }
        Terminal.error(
            "custmig: \(problems.subject) has \(problems.problems.count) problem(s); \(problems.consequence).")
        throw ExitCode(ExitStatus.usage.rawValue)
    } catch let error as CustmigError {
        try report(error)
    } catch let error where CustmigError(environment: error) != nil {
        try report(CustmigError(environment: error)!)
    }
}

private func report(_ error: CustmigError) throws -> Never {
    FileHandleWriter.standardOutput.flush()
    ProgressLine.shared.finish()
    Terminal.error("custmig: " + error.description)
    throw ExitCode(ExitStatus(error.kind).rawValue)
}
