/// Formats gene sets as GMT lines: `name<TAB>description<TAB>gene...<LF>`.
///
/// Writing what ``GMTReader`` read and reading it again gives the same sets, so read → write → read → write is
/// byte-identical. An empty description is written empty (the column is kept; ``GMTReader`` reads it back empty)
/// rather than as GSEA's `na`, which would turn "no description" into the text "na".
public enum GMTWriter {
    /// One line for a set; tabs, line ends and NULs in the description become spaces so the columns hold.
    ///
    /// Names and genes are taken as validated (set titles have no control characters, gene names no white space);
    /// the description is free text from users and other tools, hence the clean-up.
    public static func line(name: String, description: String, genes: some Sequence<String>) -> [UInt8] {
        var bytes: [UInt8] = []
        appendHead(name: name, description: description, to: &bytes)
        for gene in genes {
            bytes.append(UInt8(ascii: "\t"))
            bytes.append(contentsOf: gene.utf8)
        }
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// One line for a record read from a GMT file (its distinct genes; repeats were dropped on reading).
    public static func line(for record: GMTRecord) -> [UInt8] {
        line(name: record.name, description: record.description, genes: record.genes)
    }

    /// Appends ``line(for:)`` to `bytes`.
    public static func append(_ record: GMTRecord, to bytes: inout [UInt8]) {
        appendHead(name: record.name, description: record.description, to: &bytes)
        for gene in record.genes {
            bytes.append(UInt8(ascii: "\t"))
            bytes.append(contentsOf: gene.utf8)
        }
        bytes.append(UInt8(ascii: "\n"))
    }

    /// Appends the start of a line, `name<TAB>description`, with the description cleaned as ``line(for:)`` does; the
    /// caller appends `<TAB>gene` for each gene and the line end.
    public static func appendHead(name: String, description: String, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: name.utf8)
        bytes.append(UInt8(ascii: "\t"))
        guard !description.isEmpty else { return }
        // Clean first, then trim: what the reader would make of the cleaned text, so a second round changes nothing.
        let cleaned = description.utf8.map { byte in
            switch byte {
            case UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), 0: UInt8(ascii: " ")
            default: byte
            }
        }
        bytes.append(contentsOf: String(decoding: cleaned, as: UTF8.self).trimmingWhitespace().utf8)
    }
}
