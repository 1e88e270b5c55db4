/// HTTP dates (RFC 9110 §5.6.7): formatting as IMF-fixdate and parsing all three
/// historical formats, without Foundation's date formatters (no locale, no allocation
/// beyond the result).
package enum HTTPDate {
    private static let dayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    private static let longDayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    /// Formats seconds since the Unix epoch as an IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
    package static func format(_ secondsSinceEpoch: Int64) -> String {
        let days = floorDiv(secondsSinceEpoch, 86_400)
        let secs = secondsSinceEpoch - days * 86_400
        let (y, m, d) = civil(fromDays: days)
        let weekday = Int(((days % 7) + 11) % 7)  // 1970-01-01 was a Thursday (4)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var year = "\(y)"
        while year.utf8.count < 4 { year = "0" + year }
        return "\(dayNames[weekday]), \(two(d)) \(monthNames[Int(m) - 1]) \(year) "
            + "\(two(secs / 3600)):\(two(secs / 60 % 60)):\(two(secs % 60)) GMT"
    }

    /// Parses an HTTP date in IMF-fixdate, RFC 850 or asctime form. Returns seconds since the
    /// Unix epoch, or `nil` when the text is not a valid date (such headers are to be ignored).
    package static func parse(_ text: some StringProtocol) -> Int64? {
        var bytes = Array(text.utf8)
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes.removeLast() }
        while let first = bytes.first, first == 0x20 || first == 0x09 { bytes.removeFirst() }
        guard bytes.count >= 24, bytes.count <= 40 else { return nil }
        if let comma = bytes.firstIndex(of: UInt8(ascii: ",")) {
            let dayName = String(decoding: bytes[..<comma], as: UTF8.self)
            if comma == 3 {  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
                guard dayNames.contains(dayName) else { return nil }
                return parseFields(bytes, from: comma + 1, separator: 0x20, yearDigits: 4)
            }
            guard longDayNames.contains(dayName) else { return nil }  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
            return parseFields(bytes, from: comma + 1, separator: UInt8(ascii: "-"), yearDigits: 2)
        }
        return parseAsctime(bytes)  // Sun Nov  6 08:49:37 1994
    }

    private static func parseFields(_ b: [UInt8], from start: Int, separator: UInt8, yearDigits: Int) -> Int64? {
        // " DD<sep>Mon<sep>YYYY HH:MM:SS GMT"
        var i = start
        guard i < b.count, b[i] == 0x20 else { return nil }
        i += 1
        guard let day = digits(b, &i, count: 2), expect(b, &i, separator),
            let month = monthIndex(b, &i), expect(b, &i, separator),
            var year = digits(b, &i, count: yearDigits), expect(b, &i, 0x20),
            let time = clock(b, &i), expect(b, &i, 0x20)
        else { return nil }
        guard b.count - i == 3, b[i] == UInt8(ascii: "G"), b[i + 1] == UInt8(ascii: "M"), b[i + 2] == UInt8(ascii: "T")
        else { return nil }
        if yearDigits == 2 { year += year < 70 ? 2000 : 1900 }  // RFC 9110 §5.6.7 two-digit year rule (simplified)
        return assemble(year: year, month: month, day: day, time: time)
    }

    private static func parseAsctime(_ b: [UInt8]) -> Int64? {
        guard b.count == 24, dayNames.contains(String(decoding: b[0..<3], as: UTF8.self)) else { return nil }
        var i = 3
        guard expect(b, &i, 0x20), let month = monthIndex(b, &i), expect(b, &i, 0x20) else { return nil }
        let padded = b[i] == 0x20  // a one-digit day is padded with a space
        if padded { i += 1 }
        guard let day = digits(b, &i, count: padded ? 1 : 2), expect(b, &i, 0x20), let time = clock(b, &i),
            expect(b, &i, 0x20), let year = digits(b, &i, count: 4), i == b.count
        else { return nil }
        return assemble(year: year, month: month, day: day, time: time)
    }

    private static func assemble(year: Int64, month: Int64, day: Int64, time: Int64) -> Int64? {
        guard day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        return days(fromCivil: year, month, day) * 86_400 + time
    }

    private static func clock(_ b: [UInt8], _ i: inout Int) -> Int64? {
        guard let h = digits(b, &i, count: 2), expect(b, &i, UInt8(ascii: ":")),
            let m = digits(b, &i, count: 2), expect(b, &i, UInt8(ascii: ":")),
            let s = digits(b, &i, count: 2), h < 24, m < 60, s <= 60
        else { return nil }
        return h * 3600 + m * 60 + min(s, 59)
    }

    private static func digits(_ b: [UInt8], _ i: inout Int, count: Int) -> Int64? {
        guard i + count <= b.count else { return nil }
        var v: Int64 = 0
        for k in i..<(i + count) {
            let c = b[k]
            guard c >= 0x30, c <= 0x39 else { return nil }
            v = v * 10 + Int64(c - 0x30)
        }
        i += count
        return v
    }

    private static func expect(_ b: [UInt8], _ i: inout Int, _ c: UInt8) -> Bool {
        guard i < b.count, b[i] == c else { return false }
        i += 1
        return true
    }

    private static func monthIndex(_ b: [UInt8], _ i: inout Int) -> Int64? {
        guard i + 3 <= b.count else { return nil }
        let name = String(decoding: b[i..<(i + 3)], as: UTF8.self)
        guard let m = monthNames.firstIndex(of: name) else { return nil }
        i += 3
        return Int64(m + 1)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    // Howard Hinnant's days_from_civil / civil_from_days.
    static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d)
    }
}
