import ArgumentParser
import CustmigCore

/// Runs a command body, turning a ``CustmigError`` into its message and documented exit code.
func runReportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
        FileHandleWriter.standardOutput.flush()
    } catch let error as CustmigError {
        FileHandleWriter.standardOutput.flush()
        Terminal.clearProgress()
        Terminal.error("custmig: " + error.description)
        throw ExitCode(ExitStatus(error.kind).rawValue)
    }
}
