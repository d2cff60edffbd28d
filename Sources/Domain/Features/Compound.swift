/// A compound of the catalog.
public struct Compound: Sendable, Hashable, Codable {
    /// The compound's id in the export.
    public var id: Int64
    /// Its name.
    public var name: String
    /// Its structure, e.g. a formula.
    public var structure: String

    /// Creates a compound.
    public init(id: Int64, name: String, structure: String) {
        self.id = id
        self.name = name
        self.structure = structure
    }
}
