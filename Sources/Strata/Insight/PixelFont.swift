/// A 3×5 pixel font for the digits and a few signs, to label image tiles without a font
/// library (channel indices under activation maps, class numbers).
enum PixelFont {
    /// Rows of 3 bits, top to bottom, per character.
    private static let glyphs: [Character: [UInt8]] = [
        "0": [7, 5, 5, 5, 7], "1": [2, 6, 2, 2, 7], "2": [7, 1, 7, 4, 7], "3": [7, 1, 7, 1, 7], "4": [5, 5, 7, 1, 1],
        "5": [7, 4, 7, 1, 7], "6": [7, 4, 7, 5, 7], "7": [7, 1, 1, 1, 1], "8": [7, 5, 7, 5, 7], "9": [7, 5, 7, 1, 7],
        "-": [0, 0, 7, 0, 0], ".": [0, 0, 0, 0, 2], ":": [0, 2, 0, 2, 0], "#": [5, 7, 5, 7, 5],
    ]

    /// Width in pixels of `text` at `scale` (3 columns and 1 of space per character).
    static func width(_ text: String, scale: Int) -> Int { Swift.max(text.count * 4 - 1, 0) * scale }

    /// Draws `text` into an RGB pixel buffer of `imageWidth` pixels per row, top-left at `x`, `y`.
    static func draw(_ text: String, into pixels: inout [UInt8], imageWidth: Int, imageHeight: Int, x: Int, y: Int, scale: Int,
                     color: (UInt8, UInt8, UInt8)) {
        for (index, character) in text.enumerated() {
            guard let rows = glyphs[character] else { continue }
            for (row, bits) in rows.enumerated() {
                for column in 0..<3 where bits & (4 >> column) != 0 {
                    for dy in 0..<scale {
                        for dx in 0..<scale {
                            let px = x + (index * 4 + column) * scale + dx, py = y + row * scale + dy
                            guard px >= 0, px < imageWidth, py >= 0, py < imageHeight else { continue }
                            let at = (py * imageWidth + px) * 3
                            (pixels[at], pixels[at + 1], pixels[at + 2]) = color
                        }
                    }
                }
            }
        }
    }
}
