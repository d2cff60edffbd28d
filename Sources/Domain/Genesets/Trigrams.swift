/// Trigram similarity computed the way Postgres' `pg_trgm` computes `similarity(a, b)`.
///
/// Text is lower-cased and split into words of letters and digits; each word is padded with two spaces
/// in front and one behind, and every run of three characters is a trigram. Similarity is the number of
/// shared trigrams divided by the number of distinct trigrams of both (0 when either has none).
public struct Trigrams: Sendable, Hashable {
    /// The distinct trigrams of the text.
    public let set: Set<Trigram>

    /// The trigrams of `text`.
    public init(_ text: String) {
        var result = Set<Trigram>()
        var word: [Character] = [" ", " "]
        func flush() {
            guard word.count > 2 else { return }
            word.append(" ")
            for index in 0..<(word.count - 2) {
                result.insert(Trigram(word[index], word[index + 1], word[index + 2]))
            }
            word = [" ", " "]
        }
        for character in text.lowercased() {
            if character.isLetter || character.isNumber {
                word.append(character)
            } else {
                flush()
            }
        }
        flush()
        self.set = result
    }

    /// Similarity of two trigram sets, as a 32-bit float like `pg_trgm`.
    public func similarity(to other: Trigrams) -> Float {
        guard !set.isEmpty, !other.set.isEmpty else { return 0 }
        let shared =
            set.count <= other.set.count
            ? set.reduce(0) { other.set.contains($1) ? $0 + 1 : $0 }
            : other.set.reduce(0) { set.contains($1) ? $0 + 1 : $0 }
        return Float(shared) / Float(set.count + other.set.count - shared)
    }

    /// Similarity of two strings.
    public static func similarity(_ lhs: String, _ rhs: String) -> Float {
        Trigrams(lhs).similarity(to: Trigrams(rhs))
    }
}

/// Three consecutive characters of a padded word.
public struct Trigram: Sendable, Hashable {
    let first: Character
    let second: Character
    let third: Character

    init(_ first: Character, _ second: Character, _ third: Character) {
        self.first = first
        self.second = second
        self.third = third
    }
}
