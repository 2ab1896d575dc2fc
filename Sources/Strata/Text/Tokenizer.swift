import Foundation

/// Plain text to token ids for an `Embedding`: words (runs of letters and digits, with
/// inner apostrophes; markup such as `<br />` dropped) or characters, lower-cased, and a
/// vocabulary fitted on training texts, most frequent first (ties alphabetical).
/// Id 0 is padding, 1 an unknown token, 2… the vocabulary.
public struct Tokenizer: Sendable, Codable, Equatable {
    public enum Level: String, Sendable, Codable, CaseIterable { case word, character }

    public static let padding = 0
    public static let unknown = 1

    public let level: Level
    public let vocabulary: [String]

    /// Table rows an `Embedding` needs: padding, unknown and the vocabulary.
    public var size: Int { vocabulary.count + 2 }

    /// Fits the vocabulary: tokens seen at least `minimumCount` times in `texts`, the
    /// `maximumSize` most frequent.
    public init(fitting texts: [String], level: Level = .word, minimumCount: Int = 2, maximumSize: Int = 20_000) {
        var counts: [String: Int] = [:]
        for text in texts {
            for token in Tokenizer.tokens(text, level: level) { counts[token, default: 0] += 1 }
        }
        self.level = level
        vocabulary = counts.filter { $0.value >= minimumCount }
            .sorted { ($1.value, $0.key) < ($0.value, $1.key) }
            .prefix(Swift.max(maximumSize, 0)).map(\.key)
    }

    /// The tokens of `text`, before ids.
    public static func tokens(_ text: String, level: Level) -> [String] {
        let lowered = text.lowercased().replacingOccurrences(of: "<[^>]{0,40}>", with: " ", options: .regularExpression)
        switch level {
        case .character:
            return lowered.map(String.init)
        case .word:
            var tokens: [String] = [], current = ""
            let characters = Array(lowered)
            for (index, character) in characters.enumerated() {
                let innerApostrophe = (character == "'" || character == "’") && !current.isEmpty
                    && index + 1 < characters.count && characters[index + 1].isLetter
                if character.isLetter || character.isNumber || innerApostrophe {
                    current.append(character == "’" ? "'" : character)
                } else if !current.isEmpty {
                    tokens.append(current)
                    current = ""
                }
            }
            if !current.isEmpty { tokens.append(current) }
            return tokens
        }
    }

    private var ids: [String: Int] {
        Dictionary(vocabulary.enumerated().map { ($0.element, $0.offset + 2) }, uniquingKeysWith: { first, _ in first })
    }

    /// The ids of `text`'s tokens.
    public func encode(_ text: String) -> [Int] {
        let table = ids
        return Tokenizer.tokens(text, level: level).map { table[$0] ?? Tokenizer.unknown }
    }

    /// Int64 ids `N×length`: each text's first `length` tokens, padded with 0 after.
    public func encode(_ texts: [String], length: Int) -> Tensor {
        let table = ids, length = Swift.max(length, 1)
        let result = Tensor(zerosShape: [texts.count, length], dtype: .int64)
        result.withMutableInt64s { target in
            for (row, text) in texts.enumerated() {
                for (column, token) in Tokenizer.tokens(text, level: level).prefix(length).enumerated() {
                    target[row * length + column] = Int64(table[token] ?? Tokenizer.unknown)
                }
            }
        }
        return result
    }

    /// A length that keeps every token of `fraction` of `texts` (rounded up to a multiple of 8).
    public func coveringLength(_ texts: [String], fraction: Double = 0.95) -> Int {
        let lengths = texts.map { Tokenizer.tokens($0, level: level).count }.sorted()
        guard !lengths.isEmpty, fraction.isFinite else { return 8 }
        let fraction = Swift.min(Swift.max(fraction, 0), 1)
        let index = Swift.min(lengths.count - 1, Int((Double(lengths.count) * fraction).rounded(.up)) - 1)
        return Swift.max(8, (lengths[Swift.max(index, 0)] + 7) / 8 * 8)
    }
}
