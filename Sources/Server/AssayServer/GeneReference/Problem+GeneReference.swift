import AssayDomain
import HTTPTypes

extension Problem {
    /// 409 when the species has no reference: the request is valid, but the server's state cannot answer it until an
    /// operator imports one (a 503 would invite clients to retry a condition that does not pass on its own).
    static func problem(for error: GeneReferenceError) -> Problem {
        switch error {
        case .notLoaded(let species):
            return Problem(
                .conflict,
                detail: "no \(species.name) gene reference is loaded, so gene names cannot be resolved; an operator must run "
                    + "`assay import gene-reference FILE --species \(species.name)` (see scripts/fetch-gene-reference.sh)")
        case .emptyReference(let species):
            return Problem(.unprocessableContent, detail: "the gene reference has no \(species.name) record; the loaded reference is kept")
        case .speciesMismatch(let expected, let found, let ensemblID):
            return Problem(.unprocessableContent, detail: "\(ensemblID) is a \(found.name) gene in a \(expected.name) reference")
        case .conflictingSymbols(let ensemblID, let first, let second):
            return Problem(.unprocessableContent, detail: "\(ensemblID) has two approved symbols, '\(first)' and '\(second)'")
        }
    }
}
