/// A URL with placeholders, parsed once and expanded for every request.
///
/// `{id}` is a random integer of the id range, `{path}` a random line of the paths file, `{rand}` a random integer
/// 0...2147483647 and `{seq}` the request's number (1 for the first request started). Anything else in braces is
/// an error; a literal brace in a URL is percent-encoded (`%7B`, `%7D`) anyway, so there is no escape syntax.
public struct LoadTemplate: Sendable, Equatable, CustomStringConvertible {
    /// A value a template can ask for.
    public enum Placeholder: String, Sendable, CaseIterable {
        case id, path, rand, seq
    }

    enum Part: Sendable, Equatable {
        case literal(String)
        case placeholder(Placeholder)
    }

    let parts: [Part]

    /// The template as given.
    public let description: String

    /// Parses `text`; throws on an unknown placeholder or an unmatched brace.
    public init(_ text: String) throws(LoadPlanError) {
        var parts: [Part] = []
        var literal = ""
        var rest = Substring(text)
        while let brace = rest.firstIndex(where: { $0 == "{" || $0 == "}" }) {
            literal += rest[..<brace]
            guard rest[brace] == "{" else { throw LoadPlanError("unmatched '}' in the URL template \(text)") }
            let nameStart = rest.index(after: brace)
            guard let close = rest[nameStart...].firstIndex(where: { $0 == "}" || $0 == "{" }), rest[close] == "}" else {
                throw LoadPlanError("unmatched '{' in the URL template \(text)")
            }
            let name = String(rest[nameStart..<close])
            guard let placeholder = Placeholder(rawValue: name) else {
                let known = Placeholder.allCases.map { "{\($0.rawValue)}" }.joined(separator: ", ")
                throw LoadPlanError("unknown placeholder {\(name)} in the URL template (known: \(known); write a literal brace as %7B or %7D)")
            }
            if !literal.isEmpty { parts.append(.literal(literal)) }
            literal = ""
            parts.append(.placeholder(placeholder))
            rest = rest[rest.index(after: close)...]
        }
        literal += rest
        if !literal.isEmpty { parts.append(.literal(literal)) }
        self.parts = parts
        self.description = text
    }

    /// The placeholders the template uses.
    public var placeholders: Set<Placeholder> {
        Set(parts.compactMap { if case .placeholder(let placeholder) = $0 { placeholder } else { nil } })
    }

    /// The URL for one request's values.
    public func expand(_ values: LoadValues) -> String {
        var url = ""
        for part in parts {
            switch part {
            case .literal(let text): url += text
            case .placeholder(.id): url += String(values.id)
            case .placeholder(.path): url += values.path
            case .placeholder(.rand): url += String(values.rand)
            case .placeholder(.seq): url += String(values.seq)
            }
        }
        return url
    }
}

/// The values of one request's placeholders.
public struct LoadValues: Sendable, Equatable {
    /// `{id}`.
    public var id: Int
    /// `{path}`.
    public var path: String
    /// `{rand}`.
    public var rand: Int
    /// `{seq}`.
    public var seq: Int

    /// Values for a template; placeholders it does not use may hold anything.
    public init(id: Int = 0, path: String = "", rand: Int = 0, seq: Int = 1) {
        self.id = id
        self.path = path
        self.rand = rand
        self.seq = seq
    }
}

/// A load run that cannot start as asked; the message names the option and what was expected.
public struct LoadPlanError: Error, Equatable, CustomStringConvertible {
    /// What is wrong, for a person.
    public let description: String

    /// An error with `description`.
    public init(_ description: String) { self.description = description }
}
