import Foundation

/// A one-line progress bar on standard error, redrawn at most ten times a second.
public struct ProgressBar: Sendable {
    private let total: Int
    private let label: String
    private let start = ContinuousClock.now
    private var lastDraw = ContinuousClock.now - .seconds(1)
    private var finished = false

    /// Creates a bar counting up to `total` items named `label`.
    public init(total: Int, label: String) {
        self.total = max(total, 1)
        self.label = label
    }

    /// Shows `done` items finished; always draws the final state, once.
    public mutating func update(_ done: Int) {
        let now = ContinuousClock.now
        guard !finished, done >= total || now - lastDraw >= .milliseconds(100) else { return }
        lastDraw = now
        finished = done >= total
        let fraction = min(Double(done) / Double(total), 1)
        let width = 30
        let filled = Int(fraction * Double(width))
        let elapsed = Self.seconds(now - start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let line = "\r[\(bar)] \(Int(fraction * 100))% \(done)/\(total) \(label) \(Int(rate))/s"
        FileHandle.standardError.write(Data(line.utf8))
        if done >= total { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    /// Seconds since the bar was created.
    public var elapsedSeconds: Double { Self.seconds(ContinuousClock.now - start) }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
