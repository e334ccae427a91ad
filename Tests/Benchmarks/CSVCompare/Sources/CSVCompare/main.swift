import CSV
import Foundation

// Counts the records of a CSV file with yaslab/CSV.swift, touching every field once.
guard CommandLine.arguments.count > 1, let stream = InputStream(fileAtPath: CommandLine.arguments[1]) else {
    FileHandle.standardError.write("usage: CSVCompare FILE\n".data(using: .utf8)!)
    exit(64)
}
let reader = try CSVReader(stream: stream, hasHeaderRow: true)
var records = 0
var bytes = 0
while let row = reader.next() {
    records += 1
    for field in row { bytes &+= field.utf8.count }
}
print("records: \(records)")
print("field bytes: \(bytes)")
