import Foundation

/// Lines of a text file with the byte offset where each starts (for errors that point
/// into the file). Lines end at `\n`; a `\r` before it (Windows' CRLF) is dropped. Split
/// on bytes, since Swift strings read `\r\n` as one character that is not `\n`.
enum TextLines {
    static func split(_ data: Data) -> [(offset: Int, text: String)] {
        var result: [(Int, String)] = []
        var offset = 0
        for line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
            let content = line.last == 0x0D ? line.dropLast() : line
            result.append((offset, String(decoding: content, as: UTF8.self)))
            offset += line.count + 1
        }
        return result
    }
}
