import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A file of a downloadable data set.
public struct RemoteFile: Sendable {
    public enum Unpack: Sendable { case none, tarGzip, zip }

    public let name: String
    /// SHA-256 of the file's content (of the decompressed bytes for `.gz`, so re-packed
    /// copies verify too); `nil` when none is recorded.
    public let contentSHA256: String?
    public let unpack: Unpack

    public init(_ name: String, contentSHA256: String? = nil, unpack: Unpack = .none) {
        self.name = name
        self.contentSHA256 = contentSHA256
        self.unpack = unpack
    }
}

/// A data set Strata can download: its files and the mirrors that serve them.
public struct DownloadableDataset: Sendable {
    public let name: String
    /// Base URLs, tried in order; a file's URL is base + file name.
    public let mirrors: [String]
    public let files: [RemoteFile]
}

/// `strata data download`: known data sets from their mirrors, checked, resumable,
/// moved into place only when complete and verified.
public enum Downloads {
    /// The data sets with known locations (and `ucr:NAME` for the UCR/UEA archive).
    public static let catalogue: [DownloadableDataset] = [
        DownloadableDataset(name: "mnist", mirrors: ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"],
                            files: [
                                RemoteFile("train-images-idx3-ubyte.gz", contentSHA256: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
                                RemoteFile("train-labels-idx1-ubyte.gz", contentSHA256: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
                                RemoteFile("t10k-images-idx3-ubyte.gz", contentSHA256: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
                                RemoteFile("t10k-labels-idx1-ubyte.gz", contentSHA256: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
                            ]),
        DownloadableDataset(name: "fashion-mnist", mirrors: ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
                            files: ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                                    "t10k-labels-idx1-ubyte.gz"].map { RemoteFile($0) }),
        DownloadableDataset(name: "cifar10", mirrors: ["https://www.cs.toronto.edu/~kriz/"],
                            files: [RemoteFile("cifar-10-binary.tar.gz", unpack: .tarGzip)]),
        DownloadableDataset(name: "cifar100", mirrors: ["https://www.cs.toronto.edu/~kriz/"],
                            files: [RemoteFile("cifar-100-binary.tar.gz", unpack: .tarGzip)]),
        DownloadableDataset(name: "stl10", mirrors: ["http://ai.stanford.edu/~acoates/stl10/"],
                            files: [RemoteFile("stl10_binary.tar.gz", unpack: .tarGzip)]),
        DownloadableDataset(name: "svhn", mirrors: ["http://ufldl.stanford.edu/housenumbers/"],
                            files: [RemoteFile("train_32x32.mat"), RemoteFile("test_32x32.mat")]),
    ]

    /// The data set named `name` (`ucr:NAME` for an archive problem).
    ///
    /// - Throws: `StrataError.invalidArgument` for an unknown name, listing the known ones.
    public static func dataset(_ name: String) throws(StrataError) -> DownloadableDataset {
        if name.lowercased().hasPrefix("ucr:") {
            let problem = String(name.dropFirst(4))
            return DownloadableDataset(name: name, mirrors: ["https://www.timeseriesclassification.com/aeon-toolkit/"],
                                       files: [RemoteFile("\(problem).zip", unpack: .zip)])
        }
        guard let found = catalogue.first(where: { $0.name == name.lowercased() }) else {
            throw .invalidArgument(op: "data", message: "cannot download '\(name)': known data sets are \(catalogue.map(\.name).joined(separator: ", ")) and ucr:NAME")
        }
        return found
    }

    /// Downloads every file of `name` into `directory` (skipping files already there and
    /// valid), trying `mirrors` (default: the data set's own) in order; resumes partial
    /// files; verifies checksums; renames into place; unpacks archives.
    ///
    /// - Returns: the paths of the files now in `directory`.
    /// - Throws: `StrataError.io` naming every URL that failed and why, and where to put
    ///   the files by hand; `corruptFile` for a download whose checksum does not match.
    @discardableResult
    public static func download(_ name: String, to directory: String, mirrors: [String]? = nil,
                                log: (String) -> Void = { _ in }) throws(StrataError) -> [String] {
        let dataset = try self.dataset(name)
        let manager = FileManager.default
        let partialFolder = (directory as NSString).appendingPathComponent(".strata-partial")
        do {
            try manager.createDirectory(atPath: partialFolder, withIntermediateDirectories: true)
        } catch {
            throw .io(path: directory, message: "cannot create the download folder: \(error.localizedDescription)")
        }
        var paths: [String] = []
        for file in dataset.files {
            let target = (directory as NSString).appendingPathComponent(file.name)
            if manager.fileExists(atPath: target), (try? verify(target, file)) != nil {
                log("\(file.name): already there")
                paths.append(target)
                paths += try unpack(target, file, into: directory)
                continue
            }
            let partial = (partialFolder as NSString).appendingPathComponent(file.name + ".part")
            var failures: [String] = []
            var done = false
            for mirror in mirrors ?? dataset.mirrors {
                let address = mirror.hasSuffix("/") ? mirror + file.name : mirror + "/" + file.name
                guard let url = URL(string: address) else {
                    failures.append("\(address): not a URL")
                    continue
                }
                do {
                    let resumedFrom = try HTTPDownload.fetch(url, to: partial)
                    log("\(file.name): downloaded from \(address)" + (resumedFrom > 0 ? " (resumed at byte \(resumedFrom))" : ""))
                    try verify(partial, file)
                    guard rename(partial, target) == 0 else {
                        throw StrataError.io(path: target, message: "cannot move the download into place")
                    }
                    done = true
                    break
                } catch let error as StrataError {
                    if case .corruptFile = error { try? manager.removeItem(atPath: partial) }
                    failures.append("\(address): \(error.message)")
                } catch {
                    failures.append("\(address): \(error.localizedDescription)")
                }
            }
            guard done else {
                throw .io(path: directory, message: "could not download \(file.name) — \(failures.joined(separator: "; ")). Put \(dataset.files.map(\.name).joined(separator: ", ")) in \(directory) by hand (from \(dataset.mirrors.first ?? "its publisher"))")
            }
            paths.append(target)
            paths += try unpack(target, file, into: directory)
        }
        try? manager.removeItem(atPath: partialFolder)
        return paths
    }

    /// Checks a file's content checksum (decompressing `.gz` first).
    static func verify(_ path: String, _ file: RemoteFile) throws(StrataError) {
        guard let expected = file.contentSHA256 else { return }
        guard let data = FileBytes.contents(atPath: path) else { throw .io(path: path, message: "cannot read the download") }
        let content = file.name.hasSuffix(".gz") && Gzip.isCompressed(data) ? try Gzip.decompress(data, path: path) : data
        let actual = SHA256.hex(content)
        guard actual == expected else {
            throw .corruptFile(path: path, offset: 0, message: "SHA-256 of the content is \(actual), expected \(expected): the download is corrupt")
        }
    }

    /// Extracts an archive's files next to it; returns their paths.
    private static func unpack(_ archive: String, _ file: RemoteFile, into directory: String) throws(StrataError) -> [String] {
        guard file.unpack != .none else { return [] }
        guard let data = FileBytes.contents(atPath: archive) else { throw .io(path: archive, message: "cannot read the archive") }
        let entries: [(String, [UInt8])]
        switch file.unpack {
        case .tarGzip: entries = try TarArchive.entries([UInt8](try Gzip.decompress(data, path: archive)), path: archive)
        case .zip: entries = try ZipArchive.entries(data, path: archive).map { ($0.0, [UInt8]($0.1)) }
        case .none: entries = []
        }
        var paths: [String] = []
        for (name, bytes) in entries where !name.hasSuffix("/") && !name.contains("..") {
            let path = (directory as NSString).appendingPathComponent(name)
            do {
                try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            } catch {
                throw .io(path: path, message: "cannot create its folder")
            }
            try AtomicFile.write(Data(bytes), to: path)
            paths.append(path)
        }
        return paths
    }
}

/// One HTTP(S) download into a partial file, resuming with a `Range` request when the
/// partial file already has bytes.
final class HTTPDownload: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let handle: FileHandle
    private let done = DispatchSemaphore(value: 0)
    private var failure: String?
    private var resumeAccepted = false
    private let offset: UInt64

    private init(handle: FileHandle, offset: UInt64) {
        self.handle = handle
        self.offset = offset
    }

    /// Fetches `url` into `partial`; returns the byte it resumed from (0 = from the start).
    static func fetch(_ url: URL, to partial: String) throws -> UInt64 {
        let manager = FileManager.default
        if !manager.fileExists(atPath: partial) { _ = manager.createFile(atPath: partial, contents: nil) }
        guard let handle = FileHandle(forUpdatingAtPath: partial) else {
            throw StrataError.io(path: partial, message: "cannot open the partial file")
        }
        defer { try? handle.close() }
        let existing = try handle.seekToEnd()
        var request = URLRequest(url: url, timeoutInterval: 60)
        if existing > 0 { request.setValue("bytes=\(existing)-", forHTTPHeaderField: "Range") }
        let download = HTTPDownload(handle: handle, offset: existing)
        let session = URLSession(configuration: .ephemeral, delegate: download, delegateQueue: nil)
        session.dataTask(with: request).resume()
        download.done.wait()
        session.finishTasksAndInvalidate()
        if let failure = download.failure { throw StrataError.io(path: url.absoluteString, message: failure) }
        return download.resumeAccepted ? existing : 0
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        switch status {
        case 206:
            resumeAccepted = true
            completionHandler(.allow)
        case 200:
            // the server sends the whole file: start over
            try? handle.truncate(atOffset: 0)
            completionHandler(.allow)
        case 416 where offset > 0:
            // nothing left to send: the partial file is already complete
            resumeAccepted = true
            completionHandler(.cancel)
        default:
            failure = "HTTP status \(status)"
            completionHandler(.cancel)
        }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        do { try handle.write(contentsOf: data) } catch { failure = "cannot write: \(error.localizedDescription)" }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if let error, failure == nil, !(resumeAccepted && (error as NSError).code == NSURLErrorCancelled) {
            failure = error.localizedDescription
        }
        done.signal()
    }
}
