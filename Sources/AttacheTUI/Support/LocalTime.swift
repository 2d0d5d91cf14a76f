import AttacheCore
import Foundation

/// Times as the user's own clock shows them, in the local time zone (`TZ`, else the
/// system's), as mail clients show them; where a time stands alone, the zone is named.
public struct LocalTime: Hashable, Sendable {
    public var zone: TimeZone

    public init(zone: TimeZone) {
        self.zone = zone
    }

    /// The process's zone: `TZ`, else `/etc/localtime`, else UTC.
    public static var current: LocalTime { LocalTime(zone: TimeZone.current) }

    /// `2026-11-25 09:13`, or `11-25 09:13` when `short`, in this zone.
    public func format(_ date: Date, short: Bool = false) -> String {
        let local = date.addingTimeInterval(TimeInterval(zone.secondsFromGMT(for: date)))
        let full = GraphDate.formatMinute(local)
        return short ? String(full.dropFirst(5)) : full
    }

    /// The C library's name for the process's zone at `date` (`JST`, `CET`), which reads the
    /// zone's own database (Foundation's names here are `GMT+9`); `nil` when it gives none or
    /// disagrees on the offset.
    static func systemName(at date: Date, offset: Int) -> String? {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        guard localtime_r(&seconds, &parts) != nil, parts.tm_gmtoff == offset, let zone = parts.tm_zone else { return nil }
        let name = String(cString: zone)
        return !name.isEmpty && name.allSatisfy({ $0.isLetter }) ? name : nil
    }

    /// `09:13:05`, the time of day in this zone.
    public func timeOfDay(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down)) + time_t(zone.secondsFromGMT(for: date))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%02d:%02d:%02d", parts.tm_hour, parts.tm_min, parts.tm_sec)
    }

    /// `2026-11-25 09:13 CET`: the time, and the zone it is in.
    public func formatWithZone(_ date: Date) -> String {
        format(date) + " " + name(at: date)
    }

    /// The zone's name at `date`: its abbreviation (`CET`, `JST`), else its offset from UTC
    /// (`UTC+05:30`), `UTC` itself for UTC.
    public func name(at date: Date) -> String {
        let offset = zone.secondsFromGMT(for: date)
        if zone.identifier == TimeZone.current.identifier, let name = Self.systemName(at: date, offset: offset) { return name }
        if let abbreviation = zone.abbreviation(for: date), !abbreviation.hasPrefix("GMT"), !abbreviation.hasPrefix("UTC"),
            abbreviation.allSatisfy({ $0.isLetter })
        {
            return abbreviation
        }
        guard offset != 0 else { return "UTC" }
        let minutes = abs(offset) / 60
        return "UTC" + (offset < 0 ? "-" : "+") + String(format: "%02d:%02d", minutes / 60, minutes % 60)
    }
}
