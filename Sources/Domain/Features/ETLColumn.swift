/// A column an export file must have, found by its header name (matched ignoring case).
public enum ETLColumn: Sendable, Hashable, CaseIterable {
    case userID
    case name
    case email
    case signupDate
    case experimentID
    case experimentUserID
    case experimentCompoundIDs
    case experimentRunTime
    case compoundID
    case compoundName
    case compoundStructure

    /// The column's name in the header.
    public var header: String {
        switch self {
        case .userID, .experimentUserID: "user_id"
        case .name: "name"
        case .email: "email"
        case .signupDate: "signup_date"
        case .experimentID: "experiment_id"
        case .experimentCompoundIDs: "experiment_compound_ids"
        case .experimentRunTime: "experiment_run_time"
        case .compoundID: "compound_id"
        case .compoundName: "compound_name"
        case .compoundStructure: "compound_structure"
        }
    }

    /// The file the column belongs to.
    public var file: ETLFile {
        switch self {
        case .userID, .name, .email, .signupDate: .users
        case .experimentID, .experimentUserID, .experimentCompoundIDs, .experimentRunTime: .experiments
        case .compoundID, .compoundName, .compoundStructure: .compounds
        }
    }
}

/// Where each required column of one file sits in its rows, found by name in the header.
struct ColumnPositions {
    private var positions: [Int]

    /// The positions of `file`'s columns in `header` (lower-cased names), or the columns that are missing.
    init(file: ETLFile, header: [String: Int]) throws(MissingColumns) {
        positions = Array(repeating: -1, count: ETLColumn.allCases.count)
        var missing: [ETLColumn] = []
        for column in file.requiredColumns {
            guard let position = header[column.header] else {
                missing.append(column)
                continue
            }
            positions[index(column)] = position
        }
        guard missing.isEmpty else { throw MissingColumns(columns: missing) }
    }

    /// The position of `column` in a row. Only columns of the file the positions were made for are asked for.
    subscript(_ column: ETLColumn) -> Int { positions[index(column)] }

    private func index(_ column: ETLColumn) -> Int {
        // `allCases` order, computed without a dictionary: this runs for every value of every row.
        switch column {
        case .userID: 0
        case .name: 1
        case .email: 2
        case .signupDate: 3
        case .experimentID: 4
        case .experimentUserID: 5
        case .experimentCompoundIDs: 6
        case .experimentRunTime: 7
        case .compoundID: 8
        case .compoundName: 9
        case .compoundStructure: 10
        }
    }

    /// Required columns absent from a header.
    struct MissingColumns: Error {
        let columns: [ETLColumn]
    }
}
