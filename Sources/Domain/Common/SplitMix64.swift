/// A small, fast, seedable random number generator (SplitMix64): the same seed gives the same sequence
/// on every platform, which makes synthetic data reproducible.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Creates a generator from a seed.
    public init(seed: UInt64) {
        self.state = seed
    }

    /// Creates generator number `stream` of a family: streams of one seed do not overlap.
    ///
    /// Seeding with `seed ^ stream` would not do: consecutive streams would then start a fixed step apart
    /// on the same sequence, so stream `i` would repeat stream `i + 1` shifted by one value.
    public init(seed: UInt64, stream: UInt64) {
        self.state = Self.mix(seed &+ Self.mix(stream &+ Self.golden))
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= Self.golden
        return Self.mix(state)
    }

    private static let golden: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// SplitMix64's finaliser: a bijective scramble of 64 bits.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
