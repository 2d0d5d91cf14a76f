/// Stops the run when a property that must hold for every input does not: the trap makes
/// libFuzzer save the input, as it does for a crash of the code under test, so a wrong
/// answer is found as surely as a crash.
func expect(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() { fatalError("invariant broken: \(message())", file: file, line: line) }
}
