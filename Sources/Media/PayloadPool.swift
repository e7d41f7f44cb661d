/// Fixed storage for received payloads waiting in the jitter buffer: slots allocated once
/// per stream and reused, so a received packet costs no allocation.
struct PayloadPool {
    /// A payload kept in the pool: its slot and length.
    struct Slot: Sendable {
        let index: Int
        let count: Int
    }

    /// Largest payload kept (60 ms of G.711; an Opus frame is far smaller).
    static let slotBytes = 480
    private var storage: [UInt8]
    private var free: [Int]

    init(slots: Int) {
        storage = [UInt8](repeating: 0, count: slots * Self.slotBytes)
        free = Array((0..<slots).reversed())
    }

    /// Copies `payload` into a free slot; nil when it is too large or every slot is taken.
    mutating func store(_ payload: UnsafeRawBufferPointer) -> Slot? {
        guard payload.count <= Self.slotBytes, let index = free.popLast() else { return nil }
        storage.withUnsafeMutableBytes { s in
            UnsafeMutableRawBufferPointer(rebasing: s[(index * Self.slotBytes)...]).copyMemory(from: payload)
        }
        return Slot(index: index, count: payload.count)
    }

    /// The payload's bytes, for the duration of `body`.
    func withBytes<R>(_ slot: Slot, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        storage.withUnsafeBytes { s in
            body(UnsafeRawBufferPointer(rebasing: s[(slot.index * Self.slotBytes)..<(slot.index * Self.slotBytes + slot.count)]))
        }
    }

    mutating func release(_ slot: Slot) { free.append(slot.index) }
}
