public import AssayDomain
public import Foundation
import Logging
import NIOCore
import PostgresNIO

/// ``ProductRepository`` on Postgres (tables `products`, `product_views`, `product_costs`; migration 4).
///
/// Every read is one statement: lists, analytics and leaders aggregate in SQL through `LATERAL` subqueries
/// over the `(product_id, time)` indexes, so there is no query per product. Bulk loads use COPY.
public struct PostgresProductRepository: ProductRepository {
    let database: PostgresGateway

    /// Creates the repository over a database; calls it cannot answer within its operation timeout fail with
    /// ``UnavailableError``.
    public init(database: PostgresGateway) {
        self.database = database
    }

    public func create(_ draft: ProductDraft, at time: Date) async throws -> Product {
        let rows = try await fetchProducts(
            """
            INSERT INTO products AS p (name, category, price_cents, created_at)
            VALUES (\(draft.name), \(draft.category), \(draft.price.cents), \(time))
            RETURNING \(unescaped: Self.productColumns)
            """)
        guard let product = rows.first else { throw UnexpectedResult(operation: "create a product") }
        return product
    }

    public func createMany(_ drafts: [ProductDraft], at time: Date) async throws -> [Int64] {
        guard !drafts.isEmpty else { return [] }
        return try await database.transaction { connection, logger in
            var ids: [Int64] = []
            ids.reserveCapacity(drafts.count)
            let reserved = try await connection.query(
                "SELECT nextval(pg_get_serial_sequence('products', 'id')) FROM generate_series(1, \(drafts.count))", logger: logger)
            for try await id in reserved.decode(Int64.self) { ids.append(id) }
            ids.sort()
            let timestamp = CopyText.timestamp(time)
            var rows = ByteBuffer()
            for (id, draft) in zip(ids, drafts) {
                rows.writeString("\(id)\t\(CopyText.escape(draft.name))\t\(CopyText.escape(draft.category))\t\(draft.price.cents)\t\(timestamp)\n")
            }
            try await connection.copyFrom(table: "products", columns: ["id", "name", "category", "price_cents", "created_at"], logger: logger) {
                try await $0.write(rows)
            }
            return ids
        }
    }

    public func product(id: Int64) async throws -> Product? {
        try await fetchProducts("SELECT \(unescaped: Self.productColumns) FROM products p WHERE p.id = \(id)").first
    }

    public func products(after: Int64?, limit: Int) async throws -> [ProductSummary] {
        try await run { client, logger in
            let rows = try await client.query(
                """
                SELECT \(unescaped: Self.productColumns), v.views, c.cents
                FROM products p
                CROSS JOIN LATERAL (SELECT count(*) AS views FROM product_views WHERE product_id = p.id) v
                CROSS JOIN LATERAL (SELECT coalesce(sum(amount_cents), 0)::bigint AS cents FROM product_costs WHERE product_id = p.id) c
                WHERE p.id > \(after ?? 0)
                ORDER BY p.id
                LIMIT \(limit)
                """, logger: logger)
            return try await Self.summaries(rows)
        }
    }

    public func recordView(_ view: ProductView) async throws -> Bool {
        try await inserted(
            """
            INSERT INTO product_views (product_id, user_id, viewed_at)
            SELECT id, \(view.userID), \(view.viewedAt) FROM products WHERE id = \(view.productID)
            RETURNING product_id
            """)
    }

    public func recordCost(_ cost: ProductCost) async throws -> Bool {
        try await inserted(
            """
            INSERT INTO product_costs (product_id, amount_cents, kind, incurred_at)
            SELECT id, \(cost.amount.cents), \(cost.kind), \(cost.incurredAt) FROM products WHERE id = \(cost.productID)
            RETURNING product_id
            """)
    }

    public func recordViews(_ views: [ProductView]) async throws {
        var rows = ByteBuffer()
        for view in views { rows.writeString("\(view.productID)\t\(view.userID)\t\(CopyText.timestamp(view.viewedAt))\n") }
        try await copy(rows, into: "product_views", columns: ["product_id", "user_id", "viewed_at"], empty: views.isEmpty)
    }

    public func recordCosts(_ costs: [ProductCost]) async throws {
        var rows = ByteBuffer()
        for cost in costs {
            rows.writeString("\(cost.productID)\t\(cost.amount.cents)\t\(CopyText.escape(cost.kind))\t\(CopyText.timestamp(cost.incurredAt))\n")
        }
        try await copy(rows, into: "product_costs", columns: ["product_id", "amount_cents", "kind", "incurred_at"], empty: costs.isEmpty)
    }

    public func analytics(productID: Int64, window: AnalyticsWindow) async throws -> AnalyticsFigures? {
        let statement = AnalyticsStatement(productID: productID, start: window.start, end: window.end)
        return try await run { client, logger in
            for try await (views, viewers, cents) in try await client.execute(statement, logger: logger) {
                return AnalyticsFigures(views: views, uniqueViewers: viewers, totalCost: Money(cents: cents))
            }
            return nil
        }
    }

    public func top(by metric: TopMetric, window: AnalyticsWindow, limit: Int) async throws -> [ProductSummary] {
        let (start, end) = (window.start, window.end)
        // Two fixed statements: rank by the chosen metric over its time index, then fetch the other metric for
        // the leaders only.
        let query: PostgresQuery =
            switch metric {
            case .views:
                """
                WITH ranked AS (
                    SELECT product_id, count(*) AS views FROM product_views
                    WHERE viewed_at >= \(start) AND viewed_at < \(end)
                    GROUP BY product_id ORDER BY views DESC, product_id LIMIT \(limit)
                )
                SELECT \(unescaped: Self.productColumns), r.views, c.cents
                FROM ranked r JOIN products p ON p.id = r.product_id
                CROSS JOIN LATERAL (
                    SELECT coalesce(sum(amount_cents), 0)::bigint AS cents FROM product_costs
                    WHERE product_id = p.id AND incurred_at >= \(start) AND incurred_at < \(end)
                ) c
                ORDER BY r.views DESC, p.id
                """
            case .cost:
                """
                WITH ranked AS (
                    SELECT product_id, sum(amount_cents)::bigint AS cents FROM product_costs
                    WHERE incurred_at >= \(start) AND incurred_at < \(end)
                    GROUP BY product_id HAVING sum(amount_cents) > 0 ORDER BY cents DESC, product_id LIMIT \(limit)
                )
                SELECT \(unescaped: Self.productColumns), v.views, r.cents
                FROM ranked r JOIN products p ON p.id = r.product_id
                CROSS JOIN LATERAL (
                    SELECT count(*) AS views FROM product_views
                    WHERE product_id = p.id AND viewed_at >= \(start) AND viewed_at < \(end)
                ) v
                ORDER BY r.cents DESC, p.id
                """
            }
        return try await run { client, logger in try await Self.summaries(client.query(query, logger: logger)) }
    }

    /// Checks that the database answers.
    public func ping() async throws {
        _ = try await run { client, logger in try await client.query("SELECT 1", logger: logger) }
    }

    /// Refreshes planner statistics and the visibility map after a bulk load; without the latter, leaders are
    /// ranked by a table scan instead of an index-only scan of the time index, and analytics fetch every row from
    /// the heap.
    public func analyze() async throws {
        // VACUUM marks a page all-visible only when its rows carry the committed hint bit, which Postgres sets only
        // once their commit record is flushed. After a load with synchronous_commit off (as on the test and benchmark
        // servers) the last commits may still sit in the WAL buffers, and VACUUM leaves their pages unmarked.
        // ANALYZE writes statistics, so committing it synchronously flushes the WAL up to it, the load included.
        try await database.transaction { connection, logger in
            try await connection.query("SET LOCAL synchronous_commit = on", logger: logger)
            try await connection.query("ANALYZE products, product_views, product_costs", logger: logger)
        }
        // A page is also left unmarked while any transaction of this database might still not see its rows (another
        // client's snapshot, autovacuum's ANALYZE). Such horizons move on within moments: vacuum again, a few times.
        for attempt in 1...5 {
            let behind = try await run { client, logger in
                try await client.query("VACUUM products, product_views, product_costs", logger: logger)
                let rows = try await client.query(
                    "SELECT count(*) FROM pg_class WHERE oid IN ('product_views'::regclass, 'product_costs'::regclass) AND relallvisible < relpages",
                    logger: logger)
                var behind = 0
                for try await count in rows.decode(Int.self) { behind = count }
                return behind
            }
            if behind == 0 || attempt == 5 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    // MARK: - Helpers

    /// The analytics statement, prepared once per pooled connection: planning it took three times as long as running it
    /// (docs/benchmarks.md, History), and the hottest uncached read should not pay that on every request.
    struct AnalyticsStatement: PositionalStatement {
        static let name = "assay_product_analytics"
        static let sql = """
            SELECT v.views, v.viewers, c.cents
            FROM products p
            CROSS JOIN LATERAL (
                SELECT count(*) AS views, count(DISTINCT user_id) AS viewers FROM product_views
                WHERE product_id = p.id AND viewed_at >= $2 AND viewed_at < $3
            ) v
            CROSS JOIN LATERAL (
                SELECT coalesce(sum(amount_cents), 0)::bigint AS cents FROM product_costs
                WHERE product_id = p.id AND incurred_at >= $2 AND incurred_at < $3
            ) c
            WHERE p.id = $1
            """
        static let bindingDataTypes: [PostgresDataType] = [.int8, .timestamptz, .timestamptz]
        typealias Row = (Int, Int, Int64)

        let productID: Int64
        let start: Date
        let end: Date

        var parameters: [any PostgresDynamicTypeEncodable] { [productID, start, end] }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    private static let productColumns = "p.id, p.name, p.category, p.price_cents, p.created_at"

    private func fetchProducts(_ query: PostgresQuery) async throws -> [Product] {
        try await run { client, logger in
            var products: [Product] = []
            let rows = try await client.query(query, logger: logger)
            for try await (id, name, category, price, created) in rows.decode((Int64, String, String, Int64, Date).self) {
                products.append(Product(id: id, name: name, category: category, price: Money(cents: price), createdAt: created))
            }
            return products
        }
    }

    /// Rows of the product columns followed by a view count and a cost in cents.
    private static func summaries(_ rows: PostgresRowSequence) async throws -> [ProductSummary] {
        var summaries: [ProductSummary] = []
        for try await (id, name, category, price, created, views, cents) in rows.decode((Int64, String, String, Int64, Date, Int, Int64).self) {
            let product = Product(id: id, name: name, category: category, price: Money(cents: price), createdAt: created)
            summaries.append(ProductSummary(product: product, views: views, totalCost: Money(cents: cents)))
        }
        return summaries
    }

    /// Runs an `INSERT ... SELECT ... RETURNING`; `true` when it inserted a row.
    private func inserted(_ query: PostgresQuery) async throws -> Bool {
        try await run { client, logger in
            var found = false
            for try await _ in try await client.query(query, logger: logger).decode(Int64.self) { found = true }
            return found
        }
    }

    private func copy(_ rows: ByteBuffer, into table: String, columns: [String], empty: Bool) async throws {
        guard !empty else { return }
        try await run { client, logger in
            try await client.withConnection { connection in
                try await connection.copyFrom(table: table, columns: columns, logger: logger) { try await $0.write(rows) }
            }
        }
    }

    private func run<Result: Sendable>(_ body: @escaping @Sendable (PostgresClient, Logger) async throws -> Result) async throws -> Result {
        try await database.run(body)
    }
}
