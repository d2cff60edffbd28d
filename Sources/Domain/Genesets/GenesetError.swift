/// Gene-catalog failures a client can act on.
public enum GenesetError: Error, Sendable, Hashable {
    /// No gene set has this id.
    case genesetNotFound(Int64)
    /// No gene has this name.
    case geneNotFound(String)
}
