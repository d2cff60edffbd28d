/// The user a token belongs to: the principal that will own gene sets and collections.
///
/// A user name is 1 to 64 characters: lowercase ASCII letters, digits, `.`, `_` and `-`, starting with a letter or a
/// digit (`alice`, `lab-7`, `j.smith`). Users are not stored on their own: a user exists while a token names it.
public enum UserName {
    /// The user of the bootstrap admin token, and the owner of everything created before tokens named users.
    public static let admin = "admin"

    /// Why `name` is not a user name, or `nil` when it is one.
    public static func problem(with name: String) -> String? {
        let bytes = Array(name.utf8)
        let isLetterOrDigit = { (byte: UInt8) in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
        let allowed = { (byte: UInt8) in isLetterOrDigit(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        guard (1...64).contains(bytes.count), let first = bytes.first, isLetterOrDigit(first), bytes.allSatisfy(allowed) else {
            return "must be 1 to 64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit"
        }
        return nil
    }
}
