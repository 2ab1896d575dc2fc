import Foundation

/// A date as time-series files write it, reduced to what forecasting needs: the day of
/// the year (for the seasonal `sin`/`cos` features) and the spacing between rows (for
/// the season of the seasonal-naive baseline).
///
/// Accepted: `1991-01-31` (and anything after it, e.g. a time), `1991/01/31`, `19910131`,
/// `1949-01`, `1991 Jul`, `1970 Q1`. A bare year is not a date here.
public struct CalendarDate: Sendable, Equatable {
    public let year: Int
    public let month: Int
    public let day: Int

    private static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = trimmed.prefix { $0.isNumber }
        if digits.count == 8, digits.count == trimmed.count, let value = Int(digits) {
            self.init(year: value / 10_000, month: value / 100 % 100, day: value % 100)
            return
        }
        guard digits.count == 4, let year = Int(digits) else { return nil }
        let rest = trimmed.dropFirst(4)
        guard let separator = rest.first, "-/ ".contains(separator) else { return nil }
        let fields = rest.dropFirst().split(whereSeparator: { "-/ ".contains($0) }).map(String.init)
        guard let first = fields.first else { return nil }
        if first.hasPrefix("q"), let quarter = Int(first.dropFirst()), (1...4).contains(quarter) {
            self.init(year: year, month: 3 * (quarter - 1) + 1, day: 1)
        } else if let named = CalendarDate.monthNames.firstIndex(of: String(first.prefix(3))), first.allSatisfy(\.isLetter) {
            self.init(year: year, month: named + 1, day: 1)
        } else if let month = Int(first) {
            self.init(year: year, month: month, day: fields.count > 1 ? Int(fields[1].prefix(2)) ?? 0 : 1)
        } else {
            return nil
        }
    }

    init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...CalendarDate.monthLengths(year)[month - 1]).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    private static func monthLengths(_ year: Int) -> [Int] {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    }

    private var isLeapYear: Bool { CalendarDate.monthLengths(year)[1] == 29 }

    /// 1 … 365 (366 in leap years).
    public var dayOfYear: Int { CalendarDate.monthLengths(year).prefix(month - 1).reduce(0, +) + day }

    /// Days since 1 January of year 0 of the proleptic Gregorian calendar (for spacings).
    var dayNumber: Int {
        let previous = year - 1
        return 365 * previous + previous / 4 - previous / 100 + previous / 400 + dayOfYear
    }

    /// The position in the year as an angle: `2π·(day of year − 1)/days in the year`.
    public var yearAngle: Double { 2 * Double.pi * Double(dayOfYear - 1) / (isLeapYear ? 366 : 365) }

    /// Rows per season from the median spacing of `dates`: daily → 7 (a week), weekly → 52,
    /// monthly → 12, quarterly → 4; `nil` for other spacings.
    public static func season(of dates: [CalendarDate]) -> Int? {
        let gaps = zip(dates, dates.dropFirst()).map { $1.dayNumber - $0.dayNumber }.sorted()
        guard !gaps.isEmpty else { return nil }
        switch gaps[gaps.count / 2] {
        case 1: return 7
        case 6...8: return 52
        case 28...31: return 12
        case 89...92: return 4
        default: return nil
        }
    }
}
