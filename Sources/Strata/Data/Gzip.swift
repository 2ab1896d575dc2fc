import CZlib
import Foundation

/// gzip (RFC 1952) decompression through zlib, for `.gz` data files.
public enum Gzip {
    /// Whether `data` starts with the gzip magic bytes 1f 8b.
    public static func isCompressed(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B
    }

    /// The decompressed bytes of a gzip stream (several members are concatenated).
    ///
    /// - Throws: `StrataError.corruptFile` with the compressed offset where zlib gave up.
    public static func decompress(_ data: Data, path: String) throws(StrataError) -> Data {
        var stream = z_stream()
        // 15 window bits + 32: detect the gzip header automatically
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corruptFile(path: path, offset: 0, message: "zlib could not start decompressing")
        }
        defer { inflateEnd(&stream) }
        var output = Data()
        let chunk = 1 << 16
        var buffer = [UInt8](repeating: 0, count: chunk)
        let input = [UInt8](data)
        var failure: StrataError?
        input.withUnsafeBufferPointer { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.avail_in = UInt32(source.count)
            while true {
                let status = buffer.withUnsafeMutableBufferPointer { target -> Int32 in
                    stream.next_out = target.baseAddress
                    stream.avail_out = UInt32(chunk)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                output.append(contentsOf: buffer[0..<(chunk - Int(stream.avail_out))])
                if status == Z_STREAM_END {
                    // another gzip member may follow
                    if stream.avail_in == 0 { return }
                    inflateReset(&stream)
                    continue
                }
                if status != Z_OK || (stream.avail_in == 0 && stream.avail_out != 0) {
                    let offset = source.count - Int(stream.avail_in)
                    let reason = stream.msg.map { String(cString: $0) } ?? (status == Z_OK ? "the stream ends early" : "zlib status \(status)")
                    failure = .corruptFile(path: path, offset: offset, message: "gzip data is damaged: \(reason)")
                    return
                }
            }
        }
        if let failure { throw failure }
        return output
    }
}
