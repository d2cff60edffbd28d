/// The database answered in a way the adapter's queries rule out; a bug, reported as a server error.
struct UnexpectedResult: Error, CustomStringConvertible {
    let operation: String
    var description: String { "unexpected empty result from Postgres while trying to \(operation)" }
}
