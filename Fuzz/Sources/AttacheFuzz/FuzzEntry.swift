import Foundation

// libFuzzer's two entry points. The binary has no `main` of its own: libFuzzer's is linked
// in by `-sanitize=fuzzer`, parses its flags, and calls these.

/// Picks the target named by `ATTACHE_FUZZ_TARGET` before the first input, and refuses to
/// start without one: a run that fuzzes nothing must not pass for a run without crashes.
/// `ATTACHE_FUZZ_TARGET=list` prints the names instead.
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    // `list` names the targets, one a line, for `make fuzz`.
    if ProcessInfo.processInfo.environment["ATTACHE_FUZZ_TARGET"] == "list" {
        print(FuzzTarget.allCases.map(\.rawValue).joined(separator: "\n"))
        exit(0)
    }
    guard FuzzTarget.selected != nil else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: " ")
        FileHandle.standardError.write(Data("attache-fuzz: set ATTACHE_FUZZ_TARGET to one of: \(names)\n".utf8))
        exit(2)
    }
    return 0
}

/// Runs one input through the selected target. An invariant that does not hold traps, and
/// libFuzzer saves the input that made it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    FuzzTarget.selected?.run(FuzzInput(bytes))
    return 0
}
