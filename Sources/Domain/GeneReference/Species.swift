/// A species the gene reference covers, identified by its NCBI taxonomy id.
public enum Species: Int, Sendable, Hashable, CaseIterable, Comparable {
    /// *Homo sapiens*, NCBI taxid 9606.
    case human = 9606
    /// *Mus musculus*, NCBI taxid 10090.
    case mouse = 10090

    /// Parses a common name or a taxid, ignoring case and surrounding blanks: `human`, `mouse`, `9606`, `10090`.
    public init?(parsing text: String) {
        let text = text.trimmingWhitespace().lowercased()
        guard let species = Self.allCases.first(where: { text == $0.name || text == String($0.rawValue) }) else { return nil }
        self = species
    }

    /// The NCBI taxonomy id.
    public var taxid: Int { rawValue }

    /// The common name used in requests and responses: `human` or `mouse`.
    public var name: String {
        switch self {
        case .human: "human"
        case .mouse: "mouse"
        }
    }

    /// How this species' Ensembl gene ids begin: `ENSG` for human, `ENSMUSG` for mouse.
    public var ensemblGenePrefix: String {
        switch self {
        case .human: "ENSG"
        case .mouse: "ENSMUSG"
        }
    }

    /// What a request may name a species, for error messages.
    public static var acceptedSpellings: String {
        allCases.map { "\($0.name) (\($0.taxid))" }.joined(separator: ", ")
    }

    /// Orders by taxid, so lists of species come out the same on every adapter.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
