import ArgumentParser
import AssayDomain
import AssayPostgres
import AssayServer
import Foundation

/// `assay token create|list|revoke`: manage access tokens in the database.
struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage access tokens (needs ASSAY_POSTGRES_URL; with the in-memory store use POST /tokens).",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Options: ParsableArguments {
        @Option(help: "Postgres URL (ASSAY_POSTGRES_URL).")
        var postgresURL: String?
    }

    /// Runs `body` with the token service of the configured database (migrated first).
    static func withTokens<Result: Sendable>(
        _ options: Options, _ body: @Sendable (TokenService<PostgresTokenStore>) async throws -> Result
    ) async throws -> Result {
        let configuration = try CommandSupport.configuration(.init(postgresURL: options.postgresURL))
        return try await CommandSupport.withAdapters(configuration) { adapters in
            // Tokens made here must outlive the command: only a database keeps them.
            guard let store = adapters.tokens as? PostgresTokenStore else {
                throw ValidationError("no database configured: set ASSAY_POSTGRES_URL or pass --postgres-url")
            }
            return try await body(TokenService(store: store, hasher: SHA256TokenHasher()))
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a token; its secret is printed once.")

        @Option(help: "A name that says who or what uses the token.")
        var name: String

        @Option(help: "The user the token belongs to (what it creates is theirs): lowercase letters, digits, '.', '_', '-'.")
        var user: String

        @Option(help: "Comma-separated scopes: read, write, admin.")
        var scope: String = "read"

        @Option(help: "Lifetime such as 30d, 12h, 90m; no expiry when omitted.")
        var expiresIn: String?

        @OptionGroup var options: Options

        func run() async throws {
            let parsed: (Set<TokenScope>, TimeInterval?)
            do {
                parsed = try TokenInput.parse(scopes: scope.split(separator: ",").map(String.init), expiresIn: expiresIn)
            } catch {
                throw ValidationError(error.errors.map { "\($0.field) \($0.reason)" }.joined(separator: "; "))
            }
            let (name, user, scopes, expiresIn) = (self.name, self.user, parsed.0, parsed.1)
            let issued = try await Token.withTokens(options) { try await $0.issue(name: name, user: user, scopes: scopes, expiresIn: expiresIn) }
            print(
                "token \(issued.token.id) '\(issued.token.name)' user \(issued.token.user) scopes \(issued.token.scopes.sorted().map(\.rawValue).joined(separator: ","))"
                    + (issued.token.expiresAt.map { " expires \($0.ISO8601Format())" } ?? ""))
            print("secret (shown only now): \(issued.secret)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")

        @OptionGroup var options: Options

        func run() async throws {
            let tokens = try await Token.withTokens(options) { try await $0.list() }
            let now = Date()
            print("id\tname\tuser\tscopes\tprefix\tstate\tcreated\tlast used\texpires")
            for token in tokens {
                let state = token.revokedAt != nil ? "revoked" : token.isActive(at: now) ? "active" : "expired"
                print(
                    [
                        String(token.id), token.name, token.user, token.scopes.sorted().map(\.rawValue).joined(separator: ","), token.prefix, state,
                        token.createdAt.ISO8601Format(), token.lastUsedAt?.ISO8601Format() ?? "-", token.expiresAt?.ISO8601Format() ?? "-",
                    ].joined(separator: "\t"))
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token by id; running servers refuse it within ASSAY_TOKEN_CACHE_SECONDS (default 10 s).")

        @Argument(help: "The token id (see `assay token list`).")
        var id: Int64

        @OptionGroup var options: Options

        func run() async throws {
            let id = self.id
            do {
                try await Token.withTokens(options) { try await $0.revoke(id: id) }
            } catch TokenError.notFound {
                throw ValidationError("no token with id \(id); `assay token list` shows them")
            } catch TokenError.lastAdmin {
                throw ValidationError(
                    "token \(id) is the last active admin token; create another first (`assay token create --scope admin`), then revoke it")
            }
            print("token \(id) revoked")
        }
    }
}
