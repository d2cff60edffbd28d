/// The three files of a lab export.
public enum ETLFile: String, Sendable, Hashable, CaseIterable, Codable {
    case users = "users.csv"
    case experiments = "user_experiments.csv"
    case compounds = "compounds.csv"

    /// The columns the file must have, in any order (other columns are ignored).
    public var requiredColumns: [ETLColumn] { ETLColumn.allCases.filter { $0.file == self } }

    /// The names of ``requiredColumns`` as they appear in the header.
    public var columns: [String] { requiredColumns.map(\.header) }
}
