import ArgumentParser
import Foundation
import Strata

/// `strata report`: one self-contained HTML page about a run.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write report.html for a run: settings, summary, curves, confusion matrix, wrong samples, filters, activations.")

    @Option(name: .customLong("run"), help: "Run folder written by strata train.")
    var runDirectory: String

    @Option(name: .customLong("data-dir"), help: "Folder with the data set's files, when not the one used for training.")
    var dataDirectory: String?

    @Option(help: "Where to write the page (default: RUN/report.html).")
    var output: String?

    func run() throws {
        try InputError.wrap {
            let report = try RunReport.build(run: runDirectory, dataDirectory: dataDirectory)
            let path = output ?? (runDirectory as NSString).appendingPathComponent("report.html")
            try AtomicFile.write(Data(report.html.utf8), to: path)
            print("Wrote \(path)")
        }
    }
}
