import CZlib
import Foundation
@testable import Strata

/// Small files in official binary layouts, written by the tests.
enum TestFiles {
    static func temporaryFolder(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// zlib-compressed bytes (`raw` = no header, for ZIP's deflate).
    static func deflate(_ bytes: [UInt8], raw: Bool) -> [UInt8] {
        var stream = z_stream()
        deflateInit2_(&stream, 6, Z_DEFLATED, raw ? -15 : 15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        var output = [UInt8](repeating: 0, count: bytes.count + 1024)
        var input = bytes
        input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = UInt32(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = UInt32(target.count)
                _ = CZlib.deflate(&stream, Z_FINISH)
            }
        }
        let produced = Int(stream.total_out)
        deflateEnd(&stream)
        return Array(output.prefix(produced))
    }

    static func le32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }
    static func le16(_ value: Int) -> [UInt8] { (0..<2).map { UInt8((value >> (8 * $0)) & 0xFF) } }

    /// A level-5 MAT-file with numeric matrices (name, MATLAB dims, type code, bytes).
    static func matFile(_ variables: [(String, [Int], Int, [UInt8])], compressed: Bool) -> [UInt8] {
        var header = Array("MATLAB 5.0 MAT-file, written by Strata's tests".utf8)
        header += [UInt8](repeating: 0x20, count: 116 - header.count) + [UInt8](repeating: 0, count: 8) + [0x00, 0x01] + Array("IM".utf8)
        func element(_ type: Int, _ data: [UInt8]) -> [UInt8] {
            le32(type) + le32(data.count) + data + [UInt8](repeating: 0, count: (8 - data.count % 8) % 8)
        }
        var body: [UInt8] = []
        for (name, dims, type, data) in variables {
            let classCode = type == 2 ? 9 : 6   // mxUINT8_CLASS or mxDOUBLE_CLASS
            let matrix = element(6, le32(classCode) + le32(0)) + element(5, dims.flatMap(le32)) + element(1, Array(name.utf8))
                + element(type, data)
            let wrapped = element(14, matrix)
            body += compressed ? element(15, deflate(wrapped, raw: false)) : wrapped
        }
        return header + body
    }

    /// A ZIP archive of named files, stored or deflated.
    static func zip(_ files: [(String, [UInt8])], deflated: Bool) -> [UInt8] {
        var archive: [UInt8] = [], directory: [UInt8] = []
        for (name, content) in files {
            let data = deflated ? deflate(content, raw: true) : content
            let method = deflated ? 8 : 0
            let crc = Int(content.withUnsafeBufferPointer { crc32(0, $0.baseAddress, UInt32($0.count)) })
            let offset = archive.count
            archive += le32(0x0403_4B50) + le16(20) + le16(0) + le16(method) + le16(0) + le16(0) + le32(crc)
                + le32(data.count) + le32(content.count) + le16(name.utf8.count) + le16(0) + Array(name.utf8) + data
            directory += le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(method) + le16(0) + le16(0) + le32(crc)
                + le32(data.count) + le32(content.count) + le16(name.utf8.count) + le16(0) + le16(0) + le16(0) + le16(0)
                + le32(0) + le32(offset) + Array(name.utf8)
        }
        let start = archive.count
        return archive + directory + le32(0x0605_4B50) + le16(0) + le16(0) + le16(files.count) + le16(files.count)
            + le32(directory.count) + le32(start) + le16(0)
    }
}
