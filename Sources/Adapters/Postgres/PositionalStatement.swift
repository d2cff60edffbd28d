import PostgresNIO

/// A prepared statement (named, prepared once per pooled connection by postgres-nio) whose parameters are bound
/// `$1`, `$2`, ... in the order ``parameters`` lists them.
protocol PositionalStatement: PostgresPreparedStatement {
    /// The values of `$1`, `$2`, ..., in order.
    var parameters: [any PostgresDynamicTypeEncodable] { get }
}

extension PositionalStatement {
    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: parameters.count)
        for parameter in parameters { bindings.append(parameter) }
        return bindings
    }
}
