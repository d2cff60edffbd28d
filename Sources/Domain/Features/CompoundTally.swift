/// Uses per compound for one user, in memory proportional to the compounds the user really used.
///
/// Compounds are dense indexes `0..<compoundCount` ordered by compound id, so "lowest id" is "lowest index".
/// A user starts with a small open-addressing table (8 bytes a slot); once that table would outgrow a plain
/// array of one counter per compound, it becomes that array. So a user never costs more than 4 bytes per
/// compound in the catalog, and memory does not grow with the number of experiments.
struct CompoundTally: Sendable {
    /// Open addressing: `(index + 1) << 32 | uses`; 0 marks an empty slot.
    private var slots: [UInt64] = []
    /// One counter per compound, once dense.
    private var counters: [UInt32] = []
    /// Compounds used at least once.
    private(set) var distinct = 0

    /// Counts one more use of `compound` (an index below `compoundCount`).
    mutating func add(_ compound: Int, compoundCount: Int) {
        if !counters.isEmpty {
            if counters[compound] == 0 { distinct += 1 }
            counters[compound] += 1
            return
        }
        if (distinct + 1) * 4 > slots.count * 3 {
            grow(compoundCount: compoundCount)
            if !counters.isEmpty { return add(compound, compoundCount: compoundCount) }
        }
        let key = UInt64(compound + 1) << 32
        let mask = slots.count - 1
        var slot = Self.hash(compound) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 {
                slots[slot] = key | 1
                distinct += 1
                return
            }
            if entry & 0xFFFF_FFFF_0000_0000 == key {
                slots[slot] = entry + 1
                return
            }
            slot = (slot + 1) & mask
        }
    }

    /// The most uses, and every compound index with that many, ascending; `nil` when nothing was used.
    func top() -> (uses: Int, compounds: [Int])? {
        var best: UInt32 = 0
        var tied: [Int] = []
        forEach { compound, uses in
            if uses > best {
                best = uses
                tied.removeAll(keepingCapacity: true)
                tied.append(compound)
            } else if uses == best {
                tied.append(compound)
            }
        }
        guard best > 0 else { return nil }
        return (Int(best), tied.sorted())
    }

    private func forEach(_ body: (Int, UInt32) -> Void) {
        if !counters.isEmpty {
            for (compound, uses) in counters.enumerated() where uses > 0 { body(compound, uses) }
        } else {
            for entry in slots where entry != 0 { body(Int(entry >> 32) - 1, UInt32(truncatingIfNeeded: entry)) }
        }
    }

    private mutating func grow(compoundCount: Int) {
        let capacity = max(8, slots.count * 2)
        let old = slots
        if capacity * 8 >= compoundCount * 4 {
            counters = [UInt32](repeating: 0, count: compoundCount)
            for entry in old where entry != 0 { counters[Int(entry >> 32) - 1] = UInt32(truncatingIfNeeded: entry) }
            slots = []
            return
        }
        slots = [UInt64](repeating: 0, count: capacity)
        let mask = capacity - 1
        for entry in old where entry != 0 {
            var slot = Self.hash(Int(entry >> 32) - 1) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = entry
        }
    }

    /// Fibonacci hashing: spreads consecutive indexes over the table.
    private static func hash(_ compound: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(compound) &* 0x9E37_79B9_7F4A_7C15) >> 32)
    }
}
