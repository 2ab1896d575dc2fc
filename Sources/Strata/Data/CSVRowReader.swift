/// Splits CSV text into rows of fields, one line at a time, as RFC 4180 says: a field that
/// starts with `"` is quoted and may hold commas, line breaks (kept as `\n`) and `""` for one
/// `"`; its quoted text is kept as it is. Elsewhere a `"` is an ordinary character (`12" pizza`),
/// and spaces around unquoted text are dropped. Each line is read once, however many lines a
/// quoted field spans.
struct CSVRowReader {
    private var fields: [String] = []
    private var field = ""
    /// Unquoted spaces after a field's text: kept only if more text follows.
    private var spaces = ""
    private var started = false, quoted = false, quoteInQuotes = false

    /// True while a quoted field goes on past the last line read.
    var isOpen: Bool { quoted && !quoteInQuotes }

    /// Reads one line (without its line break): the finished row, or nil while a quoted field
    /// is still open (the next line goes on with it).
    mutating func read(_ line: Substring) -> [String]? {
        if isOpen { field.append("\n") }
        for character in line {
            if quoteInQuotes {
                // `""` stands for a quote; a quote followed by anything else closed the quotes
                quoteInQuotes = false
                if character == "\"" {
                    field.append(character)
                    continue
                }
                quoted = false
            }
            if quoted {
                if character == "\"" { quoteInQuotes = true } else { field.append(character) }
            } else if character == "," {
                endField()
            } else if character == "\"" && !started {
                quoted = true
                started = true
            } else if character == " " || character == "\t" {
                if started { spaces.append(character) }
            } else {
                field += spaces
                spaces = ""
                field.append(character)
                started = true
            }
        }
        if isOpen { return nil }
        quoted = false
        quoteInQuotes = false
        endField()
        defer { fields = [] }
        return fields
    }

    private mutating func endField() {
        fields.append(field)
        field = ""
        spaces = ""
        started = false
    }
}
