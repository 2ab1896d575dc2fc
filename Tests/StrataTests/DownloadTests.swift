import Foundation
import XCTest
@testable import Strata

/// Downloads from a local HTTP server serving shared/data's MNIST files (and a damaged copy).
final class DownloadTests: XCTestCase {
    private var server: LocalHTTPServer!
    private let names = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                         "t10k-labels-idx1-ubyte.gz"]
    private var files: [String: Data] = [:]

    override func setUpWithError() throws {
        var routes: [String: Data] = [:]
        for name in names {
            let data = try Data(contentsOf: URL(fileURLWithPath: SharedData.path("data/mnist/\(name)")))
            files[name] = data
            routes["/mnist/\(name)"] = data
            var damaged = [UInt8](data)
            if name.hasPrefix("t10k-labels") { damaged[damaged.count / 2] ^= 0xFF }
            routes["/damaged/\(name)"] = Data(damaged)
        }
        server = try LocalHTTPServer(routes: routes)
    }

    override func tearDown() { server.stop() }

    func testSHA256KnownAnswers() {
        XCTAssertEqual(SHA256.hex(Array("".utf8)), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        var hasher = SHA256()
        for _ in 0..<1000 { hasher.update(Array("a".utf8)) }
        XCTAssertEqual(hasher.hexDigest(), SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1000)))
    }

    func testDownloadVerifyAndLoad() throws {
        let folder = try TestFiles.temporaryFolder("download")
        defer { try? FileManager.default.removeItem(at: folder) }
        let paths = try Downloads.download("mnist", to: folder.path, mirrors: ["\(server.baseURL)/mnist/"])
        XCTAssertEqual(paths.count, 4)
        let (train, test) = try DigitDatasets.mnist(directory: folder.path)
        XCTAssertEqual(train.count, 60_000)
        XCTAssertEqual(test.count, 10_000)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent(".strata-partial").path))
        // a second run finds the files in place and fetches nothing
        let before = server.requests.count
        try Downloads.download("mnist", to: folder.path, mirrors: ["\(server.baseURL)/mnist/"])
        XCTAssertEqual(server.requests.count, before)
    }

    func testDamagedDownloadIsRejected() throws {
        let folder = try TestFiles.temporaryFolder("damaged")
        defer { try? FileManager.default.removeItem(at: folder) }
        guard case .io(_, let message)? = thrownError({
            try Downloads.download("mnist", to: folder.path, mirrors: ["\(server.baseURL)/damaged/"])
        }) else { return XCTFail() }
        XCTAssertTrue(message.contains("t10k-labels-idx1-ubyte.gz"), message)
        XCTAssertTrue(message.contains("damaged") || message.contains("corrupt"), message)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("t10k-labels-idx1-ubyte.gz").path),
                       "a rejected download is not moved into place")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent(".strata-partial/t10k-labels-idx1-ubyte.gz.part").path))
    }

    func testPartialFileIsResumed() throws {
        let folder = try TestFiles.temporaryFolder("resume")
        defer { try? FileManager.default.removeItem(at: folder) }
        let partial = folder.appendingPathComponent(".strata-partial")
        try FileManager.default.createDirectory(at: partial, withIntermediateDirectories: true)
        for name in names {
            try files[name]!.prefix(1000).write(to: partial.appendingPathComponent(name + ".part"))
        }
        try Downloads.download("mnist", to: folder.path, mirrors: ["\(server.baseURL)/mnist/"])
        XCTAssertTrue(server.requests.allSatisfy { $0.range == "bytes=1000-" }, "\(server.requests)")
        XCTAssertEqual(try Data(contentsOf: folder.appendingPathComponent(names[0])), files[names[0]])
    }

    func testOfflineSaysWhichURLFailedAndWhereToPutFiles() throws {
        let folder = try TestFiles.temporaryFolder("offline")
        defer { try? FileManager.default.removeItem(at: folder) }
        guard case .io(_, let message)? = thrownError({
            try Downloads.download("mnist", to: folder.path, mirrors: ["http://127.0.0.1:1/mnist/"])
        }) else { return XCTFail() }
        XCTAssertTrue(message.contains("http://127.0.0.1:1/mnist/train-images-idx3-ubyte.gz"), message)
        XCTAssertTrue(message.contains("by hand") && message.contains(folder.path), message)
    }
}
