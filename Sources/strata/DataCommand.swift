import ArgumentParser
import Foundation
import Strata

/// `strata data`: get data sets and look at them before training.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Download and inspect data sets.",
        subcommands: [DownloadCommand.self, InspectCommand.self])
}

/// `strata data download NAME --dir DIR`.
struct DownloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Download a data set (checked, resumable, moved into place only when complete).",
        discussion: "Known: \(Downloads.catalogue.map(\.name).joined(separator: ", ")), and ucr:NAME for the UCR/UEA archive.")

    @Argument(help: "Data set to download.")
    var name: String

    @Option(help: "Folder for the files (default ~/.cache/strata/NAME).")
    var dir: String?

    @Option(help: "A mirror (base URL) to use instead of the data set's own; may be repeated.")
    var mirror: [String] = []

    func run() throws {
        let folder = dir ?? (NSHomeDirectory() as NSString).appendingPathComponent(".cache/strata/\(name.replacingOccurrences(of: ":", with: "-"))")
        let paths = try Downloads.download(name, to: folder, mirrors: mirror.isEmpty ? nil : mirror) { print($0) }
        print("\(paths.count) files in \(folder)")
    }
}

/// `strata data inspect NAME|PATH`.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show sample counts, class histogram, per-channel statistics, missing values and lengths; write a picture of samples.",
        discussion: """
            NAME is digits, mnist, fashion-mnist (with --data-dir), ucr:NAME (with --data-dir) or \
            forecast:FILE; PATH is a .ts/.tsv file, an image folder (one sub-folder per class), \
            a .npy or .npz file. Writes samples.png (a grid per class) for images or series.svg \
            (example series per class) for sequences into --output.
            """)

    @Argument(help: "Data set name or path.")
    var source: String

    @Option(name: .customLong("data-dir"), help: "Folder with the data set's files.")
    var dataDirectory: String?

    @Option(help: "Folder for the picture of samples.")
    var output = "inspect"

    @Option(name: .customLong("per-class"), help: "Samples per class in the picture.")
    var perClass = 8

    func run() throws {
        let (inspection, sample) = try load()
        print(inspection)
        guard let sample else { return }
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        if sample.sampleShape.count == 3 {
            let path = (output as NSString).appendingPathComponent("samples.png")
            try AtomicFile.write(try DatasetInspection.imageGrid(sample, perClass: perClass), to: path)
            print("Wrote \(path)")
        } else if sample.sampleShape.count == 2 {
            let path = (output as NSString).appendingPathComponent("series.svg")
            try AtomicFile.write(Data(DatasetInspection.seriesPlot(sample, perClass: Swift.min(perClass, 5)).utf8), to: path)
            print("Wrote \(path)")
        }
    }

    private func load() throws -> (DatasetInspection, TensorDataset?) {
        let lower = source.lowercased()
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) && !lower.hasPrefix("forecast:") {
            if isDirectory.boolValue {
                let images = try ImageFolder.load(source)
                return (DatasetInspection(name: source, parts: [("images", images)]), images)
            }
            if lower.hasSuffix(".ts") || lower.hasSuffix(".tsv") {
                let collection = try TimeSeriesFile.read(contentsOf: source)
                let dataset = try collection.dataset()
                let lengths = collection.lengths
                return (DatasetInspection(name: source, parts: [("cases", dataset)], missingValues: collection.missingValues,
                                          lengths: (lengths.min() ?? 0)...(lengths.max() ?? 0)), dataset)
            }
            if lower.hasSuffix(".npy") || lower.hasSuffix(".npz") {
                let arrays = lower.hasSuffix(".npy") ? ["array": try NumpyArray.read(contentsOf: source)]
                    : try NumpyArchive.read(contentsOf: source)
                for (name, array) in arrays.sorted(by: { $0.key < $1.key }) {
                    let values = array.toArray()
                    print("\(name): \(array.dtype) \(array.shape), min \(values.min() ?? .nan), max \(values.max() ?? .nan), NaN \(values.filter(\.isNaN).count)")
                }
                let first = arrays.sorted(by: { $0.key < $1.key }).first!.value.toFloat()
                let dataset = try TensorDataset(inputs: first, targets: try Tensor.zeros([first.shape.first ?? 0], dtype: .int64))
                return (DatasetInspection(name: source, parts: [("array", dataset)]), nil)
            }
            throw ValidationError("\(source): inspect reads .ts, .tsv, .npy, .npz files and image folders (or a data set name)")
        }
        if lower.hasPrefix("ucr:") {
            let problem = String(source.dropFirst(4))
            var parts: [(String, TensorDataset)] = [], missing = 0, lengths: [Int] = []
            for part in ["TRAIN", "TEST"] {
                let folder = dataDirectory ?? "."
                let candidates = ["\(folder)/\(problem)/\(problem)_\(part).ts", "\(folder)/\(problem)_\(part).ts"]
                guard let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                    throw ValidationError("--data-dir: no \(problem)_\(part).ts in \(folder) or \(folder)/\(problem)")
                }
                let collection = try TimeSeriesFile.read(contentsOf: path)
                parts.append((part.lowercased(), try collection.dataset()))
                missing += collection.missingValues
                lengths += collection.lengths
            }
            return (DatasetInspection(name: source, parts: parts, missingValues: missing,
                                      lengths: (lengths.min() ?? 0)...(lengths.max() ?? 0)), parts[0].1)
        }
        let data = try LoadedData.load(source, directory: dataDirectory)
        var parts = [("train", data.train)]
        if let validation = data.validation { parts.append(("validation", validation)) }
        parts.append(("test", data.test))
        return (DatasetInspection(name: data.name, parts: parts), data.train)
    }
}
