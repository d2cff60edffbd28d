/// How an input name was resolved.
public enum GeneResolutionStatus: String, Sendable, Hashable, CaseIterable {
    /// The name is an approved symbol (ignoring case).
    case approved
    /// The name is an alias or a previous symbol of exactly one approved symbol.
    case alias
    /// The name is an alias or previous symbol of several approved symbols; the candidates are listed, none is chosen.
    case ambiguous
    /// The reference does not know the name.
    case notFound = "not_found"
}

/// A gene of the reference as a resolution reports it: its approved symbol and the Ensembl ids the name matched.
public struct ResolvedGene: Sendable, Hashable {
    /// The approved symbol, as the reference spells it.
    public var symbol: String
    /// The Ensembl ids, ascending; more than one when the symbol names several loci (alternative haplotypes, patches).
    public var ensemblIDs: [String]

    /// Creates a resolved gene.
    public init(symbol: String, ensemblIDs: [String]) {
        self.symbol = symbol
        self.ensemblIDs = ensemblIDs
    }
}

/// The resolution of one input name.
public struct GeneResolution: Sendable, Hashable {
    /// The name as given (trimmed).
    public var input: String
    /// How it matched.
    public var status: GeneResolutionStatus
    /// The gene, when the status is ``GeneResolutionStatus/approved`` or ``GeneResolutionStatus/alias``.
    public var gene: ResolvedGene?
    /// Every gene the name could mean, when ``GeneResolutionStatus/ambiguous``; empty otherwise.
    public var candidates: [ResolvedGene]

    /// Creates a resolution.
    public init(input: String, status: GeneResolutionStatus, gene: ResolvedGene? = nil, candidates: [ResolvedGene] = []) {
        self.input = input
        self.status = status
        self.gene = gene
        self.candidates = candidates
    }
}

/// An input name given more than once, ignoring case.
public struct GeneDuplicate: Sendable, Hashable {
    /// The name as first given.
    public var name: String
    /// Every 0-based position of the name in the input, ascending.
    public var positions: [Int]

    /// Creates a duplicate.
    public init(name: String, positions: [Int]) {
        self.name = name
        self.positions = positions
    }
}

/// Different input names that resolve to the same approved symbol (`KIAA1429` and `VIRMA`): a gene set made of
/// them would name the gene twice.
public struct GeneCollision: Sendable, Hashable {
    /// The approved symbol they resolve to.
    public var symbol: String
    /// The 0-based positions of the inputs, ascending.
    public var positions: [Int]

    /// Creates a collision.
    public init(symbol: String, positions: [Int]) {
        self.symbol = symbol
        self.positions = positions
    }
}
