import Foundation
import Strata

// libFuzzer harness for every file parser: `strata-fuzz TARGET [libFuzzer options] [corpus…]`.
// Built with address sanitizer and coverage instrumentation and linked against libFuzzer's
// driver (`make fuzz`); each input is handed to one parser, which must return a value or
// throw `StrataError` — a crash, a trap or a sanitizer report is a finding.

/// A folder for the parsers that read only from files.
let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("strata-fuzz-\(getpid())")
try? FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)

/// The parsers, by target name: each takes arbitrary bytes.
let targets: [String: (Data) throws -> Void] = [
    "idx": { _ = try IDXFile.decode($0) },
    "npy": { _ = try NumpyArray.decode($0) },
    "npz": { data in for (_, entry) in try ZipArchive.entries(data, path: "<npz>") { _ = try? NumpyArray.decode(entry) } },
    "safetensors": { _ = try Safetensors.decode($0) },
    "cifar10": { _ = try CIFARFile.decode($0, variant: .cifar10) },
    "cifar100": { _ = try CIFARFile.decode($0, variant: .cifar100(fine: true)) },
    "stl10": { data in
        // the images are the input; the labels its first bytes, one per whole image
        try data.write(to: scratch.appendingPathComponent("images.bin"))
        try data.prefix(data.count / (3 * 96 * 96)).write(to: scratch.appendingPathComponent("labels.bin"))
        _ = try STL10File.load(images: scratch.appendingPathComponent("images.bin").path,
                               labels: scratch.appendingPathComponent("labels.bin").path)
    },
    "mat": { _ = try MATFile.decode($0) },
    "ts": { _ = try TimeSeriesFile.decode($0) },
    "tsv": { _ = try TimeSeriesFile.decodeTSV($0) },
    "csv": { _ = try CSVTable.decode($0) },
    "image": { _ = try ImageCodec.decode($0) },
    "tar": { _ = try TarArchive.entries(Array($0), path: "<tar>") },
    "zip": { _ = try ZipArchive.entries($0, path: "<zip>") },
    "gzip": { _ = try Gzip.decompress($0, path: "<gz>") },
    "pth": { _ = try TorchCheckpoint.decode($0) },
    // an ONNX graph: decoding, checks, initializers and constant folding (which runs the ops)
    "onnx": { _ = try ONNXModel.decode($0, path: scratch.appendingPathComponent("model.onnx").path) },
]

nonisolated(unsafe) var parse: (Data) throws -> Void = { _ in }

/// libFuzzer's driver, `LLVMFuzzerRunDriver` (linked by -sanitize=fuzzer, kept and exported
/// by the Makefile's linker flags): parses libFuzzer's options from `argv` and calls the
/// callback on each generated input. Looked up at run time, so the target also builds (and
/// explains itself) without libFuzzer, as in `swift build`.
typealias FuzzerDriver = @convention(c) (UnsafeMutablePointer<Int32>,
                                         UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                                         @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

/// One input for the chosen parser (also libFuzzer's entry point by name, which its driver
/// refers to): a value or a `StrataError` is a pass; any other error is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    do {
        try parse(data)
    } catch is StrataError {
        // a typed error is the right answer to a malformed file
    } catch {
        fatalError("untyped error \(error) from a parser")
    }
    return 0
}

let arguments = CommandLine.arguments
guard arguments.count >= 2, let target = targets[arguments[1]] else {
    FileHandle.standardError.write(Data("usage: strata-fuzz TARGET [libFuzzer options] [corpus…]; targets: \(targets.keys.sorted().joined(separator: ", "))\n".utf8))
    exit(2)
}
parse = target
guard let driverSymbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "LLVMFuzzerRunDriver") else {
    FileHandle.standardError.write(Data("strata-fuzz was built without libFuzzer; build and run it with make fuzz\n".utf8))
    exit(2)
}
let runDriver = unsafeBitCast(driverSymbol, to: FuzzerDriver.self)
// libFuzzer sees the program name and the options after the target
var driverArguments = [arguments[0]] + arguments.dropFirst(2)
var argc = Int32(driverArguments.count)
var cStrings: [UnsafeMutablePointer<CChar>?] = driverArguments.map { strdup($0) } + [nil]
let status = cStrings.withUnsafeMutableBufferPointer { buffer -> Int32 in
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = buffer.baseAddress
    return runDriver(&argc, &argv, fuzzOne)
}
exit(status)
