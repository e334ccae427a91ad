// swift-tools-version:5.9
// Reads a CSV with yaslab/CSV.swift and counts rows: the peer for custmig's own CSV tokenizer.
import PackageDescription

let package = Package(
    name: "CSVCompare",
    dependencies: [.package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2")],
    targets: [.executableTarget(name: "CSVCompare", dependencies: [.product(name: "CSV", package: "CSV.swift")])]
)
