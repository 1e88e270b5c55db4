/// A parsed `Range` header (RFC 9110 §14.2), resolved against a representation's length.
package enum RangeRequest: Equatable, Sendable {
    /// No usable `Range`: send the full representation with 200. Covers a missing header,
    /// another unit, a syntax error, an inverted range, and multi-range requests that are
    /// too many or overlap (RFC 9110 §14.2 lets a server ignore those).
    case full
    /// Syntactically valid, but no range overlaps the representation: 416.
    case unsatisfiable
    /// One or more satisfiable ranges, in request order, as inclusive byte offsets.
    case ranges([ClosedRange<Int64>])

    /// The most ranges honoured in one request; more fall back to a full 200.
    package static let maximumRanges = 16

    /// Parses `value` for a representation of `length` bytes.
    package init(parsing value: some StringProtocol, length: Int64) {
        let v = value.trimmingSpaces()
        guard let eq = v.firstIndex(of: "=") else { self = .full; return }
        guard v[..<eq].trimmingSpaces().lowercased() == "bytes" else { self = .full; return }
        let specs = v[v.index(after: eq)...].split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        guard !specs.isEmpty, specs.count <= Self.maximumRanges else { self = .full; return }
        var satisfiable: [ClosedRange<Int64>] = []
        for spec in specs {
            guard let dash = spec.firstIndex(of: "-") else { self = .full; return }
            let first = spec[..<dash], last = spec[spec.index(after: dash)...]
            if first.isEmpty {
                // Suffix range: the last N bytes. `-0` is valid syntax but never satisfiable.
                guard let n = Self.number(last) else { self = .full; return }
                if n > 0, length > 0 { satisfiable.append(max(0, length - n)...(length - 1)) }
            } else {
                guard let start = Self.number(first) else { self = .full; return }
                var end = length - 1
                if !last.isEmpty {
                    guard let e = Self.number(last) else { self = .full; return }
                    guard e >= start else { self = .full; return }  // invalid: ignore the header
                    end = min(e, length - 1)
                }
                if start < length { satisfiable.append(start...end) }
            }
        }
        guard !satisfiable.isEmpty else { self = .unsatisfiable; return }
        if satisfiable.count > 1 {
            let sorted = satisfiable.sorted { $0.lowerBound < $1.lowerBound }
            for k in 1..<sorted.count where sorted[k].lowerBound <= sorted[k - 1].upperBound {
                self = .full  // overlapping ranges: a denial-of-service pattern, serve it whole
                return
            }
        }
        self = .ranges(satisfiable)
    }

    /// 1*DIGIT, no sign, no spaces, bounded to avoid overflow.
    private static func number(_ s: some StringProtocol) -> Int64? {
        guard !s.isEmpty, s.utf8.count <= 18 else { return nil }
        var v: Int64 = 0
        for c in s.utf8 {
            guard c >= 0x30, c <= 0x39 else { return nil }
            v = v * 10 + Int64(c - 0x30)
        }
        return v
    }
}
