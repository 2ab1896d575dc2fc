import Foundation

/// TensorBoard event files: a `events.out.tfevents.<time>.<host>.strata` file of TFRecords
/// (8-byte length, its masked CRC-32C, the bytes, their masked CRC-32C), each a protobuf
/// `Event` (`tensorboard/compat/proto/event.proto`) holding a `Summary` of scalars, PNG
/// images or histograms at a step. The first record names the format (`brain.Event:2`).
/// Every record is flushed as it is written, so TensorBoard sees a run while it trains.
public final class TensorBoardWriter {
    public let path: String
    private let handle: FileHandle

    /// Creates the folder and a new event file in it.
    ///
    /// - Throws: `StrataError.io` naming the folder when it cannot be written.
    public init(directory: String) throws(StrataError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .io(path: directory, message: "cannot create the TensorBoard folder: \(error.localizedDescription)")
        }
        let host = ProcessInfo.processInfo.hostName.replacingOccurrences(of: "/", with: "_")
        path = (directory as NSString).appendingPathComponent("events.out.tfevents.\(Int(Date().timeIntervalSince1970)).\(host).\(ProcessInfo.processInfo.processIdentifier).strata")
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw .io(path: path, message: "cannot create the event file")
        }
        self.handle = handle
        var event = ProtobufWriter()
        event.double(1, Date().timeIntervalSince1970)
        event.string(3, "brain.Event:2")
        try write(event.bytes)
    }

    deinit { try? handle.close() }

    /// A scalar (`Summary.Value.simple_value`) at `step`.
    public func scalar(_ tag: String, _ value: Double, step: Int) throws(StrataError) {
        try summary(step: step) { $0.string(1, tag); $0.float(2, Float(value)) }
    }

    /// A PNG image (`Summary.Image`) at `step`.
    public func image(_ tag: String, _ picture: RawImage, step: Int) throws(StrataError) {
        let png = [UInt8](try ImageCodec.encodePNG(picture))
        try summary(step: step) { value in
            value.string(1, tag)
            value.message(4) { image in
                image.integer(1, Int64(picture.height))
                image.integer(2, Int64(picture.width))
                image.integer(3, Int64(picture.channels))
                image.data(4, png)
            }
        }
    }

    /// A histogram (`HistogramProto`) of `values` in `bins` equal bins at `step`.
    public func histogram(_ tag: String, _ values: [Float], step: Int, bins: Int = 30) throws(StrataError) {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return }
        let width = high > low ? Double(high - low) / Double(bins) : 1
        var counts = [Double](repeating: 0, count: bins)
        for value in finite { counts[Swift.min(Int(Double(value - low) / width), bins - 1)] += 1 }
        let limits = (1...bins).map { Double(low) + Double($0) * width }
        try summary(step: step) { value in
            value.string(1, tag)
            value.message(5) { histogram in
                histogram.double(1, Double(low))
                histogram.double(2, Double(high))
                histogram.double(3, Double(finite.count))
                histogram.double(4, finite.reduce(0) { $0 + Double($1) })
                histogram.double(5, finite.reduce(0) { $0 + Double($1) * Double($1) })
                histogram.packedDoubles(6, limits)
                histogram.packedDoubles(7, counts)
            }
        }
    }

    private func summary(step: Int, _ value: @escaping (inout ProtobufWriter) -> Void) throws(StrataError) {
        var event = ProtobufWriter()
        event.double(1, Date().timeIntervalSince1970)
        event.integer(2, Int64(step))
        event.message(5) { summary in summary.message(1, value) }
        try write(event.bytes)
    }

    /// One TFRecord.
    private func write(_ payload: [UInt8]) throws(StrataError) {
        var record: [UInt8] = []
        let length = withUnsafeBytes(of: UInt64(payload.count).littleEndian) { Array($0) }
        record += length
        withUnsafeBytes(of: CRC32C.masked(length).littleEndian) { record += $0 }
        record += payload
        withUnsafeBytes(of: CRC32C.masked(payload).littleEndian) { record += $0 }
        do {
            try handle.write(contentsOf: Data(record))
            try handle.synchronize()
        } catch {
            throw .io(path: path, message: "cannot write the event: \(error.localizedDescription)")
        }
    }
}
