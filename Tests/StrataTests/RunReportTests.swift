import Foundation
import XCTest
@testable import Strata

/// The run report opens in a real headless browser (Chromium, installed by `make test`)
/// and shows its curves, confusion matrix and pictures, with no console errors.
final class RunReportTests: XCTestCase {
    private var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private func browse(_ arguments: [String]) throws -> (String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try XCTUnwrap(chromium, "no Chromium: make test installs Debian's chromium"))
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr", "--v=0"] + arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let text = output.fileHandleForReading.readDataToEndOfFile(), log = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, String(decoding: log, as: UTF8.self))
        return (String(decoding: text, as: UTF8.self), String(decoding: log, as: UTF8.self))
    }

    func testTheReportRendersInHeadlessChromium() throws {
        let folder = try TestFiles.temporaryFolder("report")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = folder.appendingPathComponent("run").path
        let (trained, log) = try CLITests.strata(["train", "--epochs", "4", "--output", run, "--json"])
        XCTAssertEqual(trained, 0, log)
        let (status, output) = try CLITests.strata(["report", "--run", run])
        XCTAssertEqual(status, 0, output)
        let page = URL(fileURLWithPath: run).appendingPathComponent("report.html")
        let html = try String(contentsOf: page, encoding: .utf8)
        for reference in ["src=\"http", "href=\"http", "url(http", "<script src"] {
            XCTAssertFalse(html.contains(reference), "self-contained: no network references (\(reference))")
        }

        let (dom, console) = try browse(["--dump-dom", page.absoluteString])
        for id in ["settings", "summary", "curves", "confusion", "per-class", "filters", "activations"] {
            XCTAssertTrue(dom.contains("id=\"\(id)\""), "rendered page lacks #\(id)")
        }
        XCTAssertTrue(dom.contains("<svg"), "the learning curves are inline SVG")
        XCTAssertTrue(dom.contains("Accuracy "), dom.prefix(300).description)
        for line in console.split(separator: "\n") where line.contains("CONSOLE") || line.contains("Uncaught") {
            XCTFail("console message: \(line)")
        }

        let screenshot = folder.appendingPathComponent("report.png").path
        _ = try browse(["--window-size=1100,2400", "--screenshot=\(screenshot)", page.absoluteString])
        let picture = try ImageCodec.read(contentsOf: screenshot)
        XCTAssertEqual([picture.width, picture.height], [1100, 2400])
        // not blank: a good share of the page is drawn (text, curves, the matrix, images)
        let inked = stride(from: 0, to: picture.pixels.count, by: 3).filter { picture.pixels[$0] < 200 }.count
        XCTAssertGreaterThan(Double(inked) / Double(picture.width * picture.height), 0.02)
        // the confusion matrix's green diagonal is on screen
        let green = stride(from: 0, to: picture.pixels.count, by: 3).filter {
            picture.pixels[$0 + 1] > 200 && picture.pixels[$0] < 170 && picture.pixels[$0 + 2] < 170
        }.count
        XCTAssertGreaterThan(green, 500)
    }

    func testAFolderWithoutWeightsIsRefused() throws {
        let folder = try TestFiles.temporaryFolder("report-empty")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (status, output) = try CLITests.strata(["report", "--run", folder.path])
        XCTAssertEqual(status, 2, output)
        XCTAssertTrue(output.contains("no run.json here"), output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("report.html").path))
    }
}
