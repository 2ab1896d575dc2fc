import Foundation

/// Regular files of a tar archive (ustar and GNU formats), for `.tar.gz` data sets.
public enum TarArchive {
    /// (name, bytes) of every regular file.
    ///
    /// - Throws: `StrataError.corruptFile` with the offset of a header whose size field is
    ///   not octal or whose file runs past the end.
    public static func entries(_ bytes: [UInt8], path: String) throws(StrataError) -> [(String, [UInt8])] {
        var result: [(String, [UInt8])] = []
        var offset = 0
        while offset + 512 <= bytes.count {
            let header = bytes[offset..<(offset + 512)]
            if header.allSatisfy({ $0 == 0 }) { break }
            func text(_ range: Range<Int>) -> String {
                String(decoding: header[(offset + range.lowerBound)..<(offset + range.upperBound)].prefix { $0 != 0 }, as: UTF8.self)
            }
            let sizeText = text(124..<136).trimmingCharacters(in: .whitespaces)
            guard let size = Int(sizeText.isEmpty ? "0" : sizeText, radix: 8), size >= 0 else {
                throw .corruptFile(path: path, offset: offset + 124, message: "tar size field '\(sizeText)' is not octal")
            }
            let dataStart = offset + 512
            guard dataStart + size <= bytes.count else {
                throw .corruptFile(path: path, offset: offset, message: "tar entry of \(size) bytes runs past the end")
            }
            let type = header[offset + 156]
            let prefix = text(345..<500), name = text(0..<100)
            if type == UInt8(ascii: "0") || type == 0 {
                result.append((prefix.isEmpty ? name : prefix + "/" + name, Array(bytes[dataStart..<(dataStart + size)])))
            }
            offset = dataStart + (size + 511) / 512 * 512
        }
        return result
    }
}
