import ArgumentParser
import CustmigCore
import Foundation

extension Custmig {
    struct Profile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Profile legacy extracts: counts, types, patterns, top values, keys, malformed records.",
            discussion: HelpText.flowing(
                """
                Reads each extract once, streaming, and writes per file an HTML report (self-contained,
                opens offline), a JSON document (schema custmig.profile/1, see CustmigCore.docc/Profile.md) and Markdown,
                plus index.html when several extracts are given. A one-screen summary goes to stdout.

                Examples:
                  custmig profile Samples/customers.csv Samples/debmas07.xml --out reports
                  custmig profile Samples/customers.csv --report json --mask-pii --out reports
                """))

        @Argument(help: "The extract files (CSV or XML).")
        var extracts: [String]

        @OptionGroup var reading: ExtractReadingOptions

        @Option(help: "Folder for the reports.")
        var out: String = "profile-report"

        @Option(help: "Comma-separated report formats: html, json, md.")
        var report: String = "html,json,md"

        @Flag(
            help: "Mask values shown for fields holding personal data (emails, phones, tax ids, IBANs, person names).")
        var maskPII = false

        @Option(help: "Comma-separated field names to mask as personal data too (with --mask-pii).")
        var piiFields: String = ""

        @Option(help: "Worker threads for statistics (default: the number of cores).")
        var workers: Int = ProcessInfo.processInfo.activeProcessorCount

        @OptionGroup var progress: ProgressOptions

        func validate() throws {
            if extracts.isEmpty { throw ValidationError("name at least one extract file.") }
            if workers < 1 { throw ValidationError("--workers must be 1 or more.") }
            _ = try formats()
        }

        private func formats() throws -> Set<ProfileReportFormat> {
            var result = Set<ProfileReportFormat>()
            for name in report.split(separator: ",") {
                let trimmed = name.trimmingCharacters(in: .whitespaces).lowercased()
                guard let format = ProfileReportFormat(rawValue: trimmed == "markdown" ? "md" : trimmed) else {
                    throw ValidationError("--report takes html, json and md, not \"\(name)\".")
                }
                result.insert(format)
            }
            return result
        }

        func run() async throws {
            try await runReportingErrors {
                let options = ProfileOptions(
                    extract: try reading.extractOptions(), workers: workers, maskPII: maskPII,
                    piiFields: Set(piiFields.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }))
                var profiles: [ExtractProfile] = []
                let line = progress.start()
                for extract in extracts {
                    let name = "profile " + (extract as NSString).lastPathComponent
                    let profile = try await ExtractProfiler.profile(
                        path: extract, options: options, command: RecordedCommand.current
                    ) { read, total in
                        line.update(
                            StageProgress(name, done: Int64(read), total: total > 0 ? Int64(total) : nil, unit: .bytes))
                    }
                    line.finish()
                    profiles.append(profile)
                    Terminal.out(ProfileText.summary(profile))
                    Terminal.out("")
                }
                let written = try ProfileReportWriter.write(profiles, to: out, formats: try formats())
                for path in written { Terminal.out("wrote \(path)") }
            }
        }
    }
}
