import ArgumentParser
import CustmigCore

/// Runs a command body, turning a ``CustmigError`` into its message and documented exit code.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
        FileHandleWriter.standardOutput.flush()
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
