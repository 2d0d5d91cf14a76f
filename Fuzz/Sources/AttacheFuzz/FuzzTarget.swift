import Foundation

/// The fuzz targets, one per family of parsers that read what a server sends (or what the
/// journal kept). The raw value is the name `make fuzz` and the corpus folders use.
enum FuzzTarget: String, CaseIterable, Sendable {
    case ranges
    case session
    case contentRange = "content-range"
    case location
    case retryAfter = "retry-after"
    case graphError = "graph-error"
    case graphDate = "graph-date"
    case oauth
    case pages
    case budget
    case urls
    case journal

    /// The target `ATTACHE_FUZZ_TARGET` names, if it names one.
    static let selected: FuzzTarget? = ProcessInfo.processInfo.environment["ATTACHE_FUZZ_TARGET"].flatMap(FuzzTarget.init(rawValue:))

    func run(_ input: FuzzInput) {
        switch self {
        case .ranges: RangesTarget.run(input)
        case .session: SessionTarget.run(input)
        case .contentRange: ContentRangeTarget.run(input)
        case .location: LocationTarget.run(input)
        case .retryAfter: RetryAfterTarget.run(input)
        case .graphError: GraphErrorTarget.run(input)
        case .graphDate: GraphDateTarget.run(input)
        case .oauth: OAuthTarget.run(input)
        case .pages: PagesTarget.run(input)
        case .budget: BudgetTarget.run(input)
        case .urls: URLsTarget.run(input)
        case .journal: JournalTarget.run(input)
        }
    }
}
