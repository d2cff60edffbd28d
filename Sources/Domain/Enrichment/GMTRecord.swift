/// One gene set read from a GMT file line: `name<TAB>description<TAB>gene<TAB>gene...`.
public struct GMTRecord: Sendable, Hashable {
    /// The 1-based line the set was read from.
    public var line: Int
    /// The set's name (its title), trimmed.
    public var name: String
    /// The description column, trimmed; may be empty, `na` or a URL, kept as written.
    public var description: String
    /// Member genes, trimmed, each once ignoring case (first spelling kept), in file order.
    public var genes: [String]
    /// Genes repeating an earlier one of the same line ignoring case: not an error, they count once.
    public var duplicateGenes: [String]

    /// Creates a record.
    public init(line: Int, name: String, description: String, genes: [String], duplicateGenes: [String] = []) {
        self.line = line
        self.name = name
        self.description = description
        self.genes = genes
        self.duplicateGenes = duplicateGenes
    }
}
